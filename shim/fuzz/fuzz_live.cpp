// libFuzzer target over the live protocol decoder and the snapshot build: the first byte picks the protocol
// (even: 82, odd: 76), the rest is cut into decompressed frames (2-byte little-endian length, then that many
// bytes) and decoded into the live ingest state, which is then built into a complete capture.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>

#include "model/capture.hpp"
#include "format/error.hpp"
#include "live/events.hpp"
#include "live/ingest.hpp"
#include "live/protocol.hpp"
#include "live/queries.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    using namespace tshim::live;
    const uint32_t protocol = (data[0] & 1) ? kProtocol013 : kProtocol014;
    LiveIngest ingest;
    QueryBook queries;
    queries.reset(1 << 20);
    EventDecoder decoder(*wire_table(protocol), ingest, queries);
    decoder.set_timer(1000, 1.0);
    WelcomeInfo w;
    w.protocol = protocol;
    w.init_end_ns = 100;
    ingest.on_welcome(w);
    size_t at = 1;
    try {
        while (at + 2 <= size) {
            uint16_t n;
            std::memcpy(&n, data + at, 2);
            at += 2;
            const size_t len = n < size - at ? n : size - at;
            decoder.decode(data + at, len);
            at += len;
        }
    } catch (const tshim::Error&) {
        // malformed input is reported, never read past
    } catch (const std::bad_alloc&) {
    }
    tshim::Capture cap;
    try {
        ingest.build(cap, false);
    } catch (const tshim::Error&) {
    } catch (const std::bad_alloc&) {
    }
    return 0;
}
