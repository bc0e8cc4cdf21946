#include "read_tail.hpp"

namespace tshim {

void read_tail(Cursor&, LoadContext&) {}

void register_tail_tables(const TailModel&, std::vector<Table>&, Capture&) {}

}  // namespace tshim
