#pragma once

#include <string>

namespace tshim {

class Capture;

// Reads a .tracy file into `cap` (model, metadata, tables); throws tshim::Error on any failure.
// Runs on the capture's background thread; sets TSHIM_READY when tables are usable.
void load_file(Capture& cap, const std::string& path);

}  // namespace tshim
