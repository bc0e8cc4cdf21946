// The capture's data as the loader builds it. (Filled in by the file reader.)
#pragma once

namespace tshim {

struct Model {};

}  // namespace tshim
