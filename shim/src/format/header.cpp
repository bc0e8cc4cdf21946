// Version header and capture metadata.
#include <cstring>

#include "read/reader.hpp"

namespace tshim {

namespace {

std::string version_string(int v) {
    return std::to_string((v >> 16) & 0xFF) + "." + std::to_string((v >> 8) & 0xFF) + "." + std::to_string(v & 0xFF);
}

}  // namespace

std::string read_text(Cursor& c, uint64_t n, const char* what) {
    if (n > (uint64_t(1) << 30)) Cursor::throw_count(n, what);
    return c.str(size_t(n));
}

int read_version(Cursor& c) {
    uint8_t hdr[8];
    c.bytes(hdr, sizeof(hdr));
    if (std::memcmp(hdr, "tracy", 5) != 0)
        throw Error(TSHIM_ERR_VERSION, "unsupported Tracy capture: the payload has no version header (written by a "
                                       "Tracy version older than 0.3, or corrupt)");
    const int v = file_version(hdr[5], hdr[6], hdr[7]);
    if (v > kMaxFileVersion)
        throw Error(TSHIM_ERR_VERSION, "unsupported Tracy capture version " + version_string(v) +
                                           ": newer than this reader understands (0.7.0 to 0.14.x)");
    if (v < kMinFileVersion)
        throw Error(TSHIM_ERR_VERSION, "unsupported Tracy capture version " + version_string(v) +
                                           ": too old for this reader (0.7.0 to 0.14.x); re-save it with a newer "
                                           "Tracy (tracy-update)");
    return v;
}

void read_metadata(Cursor& c, LoadContext& ctx) {
    auto& cap = ctx.cap;
    cap.meta_str["file_version_str"] = version_string(ctx.version);
    cap.meta_int["file_version"] = ctx.version;
    if (ctx.version < file_version(0, 12, 3)) c.skip(8);  // an obsolete delay field

    const auto resolution = c.get<int64_t>();
    const auto timer_mul = c.get<double>();
    const auto last_time = c.get<int64_t>();
    const auto frame_offset = c.get<uint64_t>();
    const auto pid = c.get<uint64_t>();
    const auto sampling_period = c.get<int64_t>();
    const auto cpu_arch = c.get<uint8_t>();
    const auto cpu_id = c.get<uint32_t>();
    char manufacturer[13] = {};
    c.bytes(manufacturer, 12);
    bool on_demand = frame_offset != 0;
    if (ctx.version >= file_version(0, 9, 2)) on_demand = c.get<uint8_t>() != 0;

    cap.meta_int["resolution"] = resolution;
    cap.meta_float["timer_mul"] = timer_mul;
    cap.meta_int["last_time"] = last_time;
    cap.meta_int["frame_offset"] = int64_t(frame_offset);
    cap.meta_int["pid"] = int64_t(pid);
    cap.meta_int["sampling_period"] = sampling_period;
    cap.meta_int["cpu_arch"] = cpu_arch;
    cap.meta_int["cpu_id"] = cpu_id;
    cap.meta_str["cpu_manufacturer"] = std::string(manufacturer, strnlen(manufacturer, 12));
    cap.meta_int["on_demand"] = on_demand ? 1 : 0;

    cap.meta_str["capture_name"] = read_text(c, c.get<uint64_t>(), "bytes of capture name");
    cap.meta_str["capture_program"] = read_text(c, c.get<uint64_t>(), "bytes of program name");
    cap.meta_int["capture_time"] = int64_t(c.get<uint64_t>());
    cap.meta_int["executable_time"] = ctx.version >= file_version(0, 7, 6) ? int64_t(c.get<uint64_t>()) : 0;
    cap.meta_str["host_info"] = read_text(c, c.get<uint64_t>(), "bytes of host info");

    // CPU topology: packages > (dies, 0.11.2+) > cores > logical CPUs.
    auto& m = ctx.model;
    const bool has_dies = ctx.version >= file_version(0, 11, 2);
    const auto packages = c.get<uint64_t>();
    c.check_fits(packages, 12, "CPU packages");
    for (uint64_t i = 0; i < packages; i++) {
        const auto package = c.get<uint32_t>();
        const auto children = c.get<uint64_t>();
        c.check_fits(children, 12, "CPU dies/cores");
        for (uint64_t j = 0; j < children; j++) {
            uint32_t die = 0;
            uint64_t cores = 1;
            if (has_dies) {
                die = c.get<uint32_t>();
                cores = c.get<uint64_t>();
                c.check_fits(cores, 12, "CPU cores");
            }
            for (uint64_t k = 0; k < cores; k++) {
                const auto core = c.get<uint32_t>();
                const auto threads = c.get<uint64_t>();
                c.check_fits(threads, 4, "CPU threads");
                for (uint64_t l = 0; l < threads; l++) {
                    m.cpu_topology_thread.push_back(c.get<uint32_t>());
                    m.cpu_topology_package.push_back(package);
                    m.cpu_topology_die.push_back(die);
                    m.cpu_topology_core.push_back(core);
                }
            }
        }
    }

    // Crash event (packed: thread u64, time i64, message u64, callstack u32).
    cap.meta_int["crash_thread"] = int64_t(c.get<uint64_t>());
    cap.meta_int["crash_time"] = c.get<int64_t>();
    cap.meta_int["crash_message"] = int64_t(c.get<uint64_t>());
    cap.meta_int["crash_callstack"] = c.get<uint32_t>();
}

}  // namespace tshim
