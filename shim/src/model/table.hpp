// Named tables of typed, contiguous columns: how the engine's model is exposed through the C API.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <type_traits>
#include <vector>

#include "model/derived.hpp"
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
    // A derived column (add_derived): builds its part of the model on first read and returns its data.
    std::function<const void*()> derive;
    const Derived* part = nullptr;

    // The column's data, building it first if it is derived and not built yet.
    const void* get() const { return derive ? derive() : data; }
    // Whether its memory is in use (a derived column's only once built).
    bool present() const { return !part || part->built(); }
};

struct Table {
    std::string name;
    int64_t rows = 0;
    std::vector<Column> columns;

    // Registers a view of `v`; the vector must outlive the table and not be resized afterwards.
    template <class T> Table& add(const std::string& column, const std::vector<T>& v) {
        rows = int64_t(v.size());
        columns.push_back({column, dtype_of<T>(), v.empty() ? nullptr : v.data(), int64_t(v.size()), {}, nullptr});
        return *this;
    }
    // Registers a view of `v`, which `part` fills on first read with `n` items (the part outlives the table).
    template <class T> Table& add_derived(const std::string& column, const std::vector<T>& v, size_t n,
                                          const Derived& part) {
        rows = int64_t(n);
        columns.push_back({column, dtype_of<T>(), nullptr, int64_t(n), [&v, &part]() -> const void* {
                               part.ensure();
                               return v.empty() ? nullptr : v.data();
                           }, &part});
        return *this;
    }
};

// Appends an empty table named `name` to `tables`; the caller adds its columns.
inline Table& add_table(std::vector<Table>& tables, const char* name) {
    tables.push_back(Table{name, 0, {}});
    return tables.back();
}

}  // namespace tshim
