#include "load_file.hpp"

#include <cstdio>
#include <memory>

#include "capture.hpp"
#include "error.hpp"
#include "model.hpp"

namespace tshim {

void load_file(Capture& cap, const std::string& path) {
    std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!f) throw Error(TSHIM_ERR_IO, "cannot open " + path);
    unsigned char hdr[4] = {};
    if (std::fread(hdr, 1, 4, f.get()) != 4 || hdr[0] != 't' || hdr[1] != 'r' || hdr[2] != 0xFD || hdr[3] != 'P')
        throw Error(TSHIM_ERR_FORMAT, path + " is not a Tracy capture (bad magic)");
    cap.model = std::make_unique<Model>();
    throw Error(TSHIM_ERR_INTERNAL, "the file reader is not implemented yet");
}

}  // namespace tshim
