// Exposes the front half of the model as named tables of zero-copy column views (see shim/SCHEMA.md).
#pragma once

#include <vector>

#include "model/model.hpp"
#include "model/table.hpp"

namespace tshim {

void register_front_tables(const Model& m, std::vector<Table>& tables);

}  // namespace tshim
