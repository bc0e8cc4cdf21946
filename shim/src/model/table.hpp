// Named tables of typed, contiguous columns: how the engine's model is exposed through the C API.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "tracy_shim.h"

namespace tshim {

template <class T> constexpr int dtype_of() {
    if constexpr (std::is_same_v<T, int8_t>) return TSHIM_I8;
    else if constexpr (std::is_same_v<T, uint8_t>) return TSHIM_U8;
    else if constexpr (std::is_same_v<T, int16_t>) return TSHIM_I16;
    else if constexpr (std::is_same_v<T, uint16_t>) return TSHIM_U16;
    else if constexpr (std::is_same_v<T, int32_t>) return TSHIM_I32;
    else if constexpr (std::is_same_v<T, uint32_t>) return TSHIM_U32;
    else if constexpr (std::is_same_v<T, int64_t>) return TSHIM_I64;
    else if constexpr (std::is_same_v<T, uint64_t>) return TSHIM_U64;
    else if constexpr (std::is_same_v<T, float>) return TSHIM_F32;
    else if constexpr (std::is_same_v<T, double>) return TSHIM_F64;
    else static_assert(sizeof(T) == 0, "unsupported column type");
}

struct Column {
    std::string name;
    int dtype;
    const void* data;
    int64_t rows;
};

struct Table {
    std::string name;
    int64_t rows = 0;
    std::vector<Column> columns;

    // Registers a view of `v`; the vector must outlive the table and not be resized afterwards.
    template <class T> Table& add(const std::string& column, const std::vector<T>& v) {
        rows = int64_t(v.size());
        columns.push_back({column, dtype_of<T>(), v.empty() ? nullptr : v.data(), int64_t(v.size())});
        return *this;
    }
};

// Appends an empty table named `name` to `tables`; the caller adds its columns.
inline Table& add_table(std::vector<Table>& tables, const char* name) {
    tables.push_back(Table{name, 0, {}});
    return tables.back();
}

}  // namespace tshim
