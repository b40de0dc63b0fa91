// Check macros. NS_CHECK(cond, msg...) throws neuroscale::Error; NS_CHECK_AS(Type, cond, ...)
// throws a specific error type; NS_CHECK_EQ/NE/LT/LE/GT/GE print both values of a failed
// comparison as "msg (expected a == b, got 3 vs 4)"; NS_THROW(Type, msg...) throws unconditionally.
// Message parts are streamed, so `NS_CHECK(n > 0, "trial ", id, " has no bins")` works for any
// printable values.
#pragma once

#include <sstream>
#include <string>
#include <utility>

#include "core/error.h"

namespace neuroscale::detail {

template <class... Parts>
std::string concat(const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return out.str();
}

template <class ErrorType>
[[noreturn]] void throw_error(const char* file, int line, std::string message) {
  ErrorType error(message);
  error.set_where(concat(file, ":", line));
  throw error;
}

template <class ErrorType, class A, class B, class... Parts>
[[noreturn]] void throw_comparison(const char* file, int line, const char* expr, const A& a,
                                   const B& b, const Parts&... parts) {
  std::string message = concat(parts..., " (expected ", expr, ", got ", a, " vs ", b, ")");
  throw_error<ErrorType>(file, line, std::move(message));
}

}  // namespace neuroscale::detail

// Every check takes a message (at least one part) naming what the user should know.
#define NS_THROW(Type, ...)                                   \
  ::neuroscale::detail::throw_error<Type>(__FILE__, __LINE__, \
                                          ::neuroscale::detail::concat(__VA_ARGS__))

#define NS_CHECK_AS(Type, cond, ...)                                                      \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      ::neuroscale::detail::throw_error<Type>(__FILE__, __LINE__,                         \
                                              ::neuroscale::detail::concat(__VA_ARGS__)); \
    }                                                                                     \
  } while (false)

#define NS_CHECK(cond, ...) NS_CHECK_AS(::neuroscale::Error, cond, __VA_ARGS__)

#define NS_CHECK_OP_AS(Type, op, a, b, ...)                                                \
  do {                                                                                     \
    const auto& ns_check_a_ = (a);                                                         \
    const auto& ns_check_b_ = (b);                                                         \
    if (!(ns_check_a_ op ns_check_b_)) {                                                   \
      ::neuroscale::detail::throw_comparison<Type>(__FILE__, __LINE__, #a " " #op " " #b,  \
                                                   ns_check_a_, ns_check_b_, __VA_ARGS__); \
    }                                                                                      \
  } while (false)

#define NS_CHECK_EQ(a, b, ...) NS_CHECK_OP_AS(::neuroscale::Error, ==, a, b, __VA_ARGS__)
#define NS_CHECK_NE(a, b, ...) NS_CHECK_OP_AS(::neuroscale::Error, !=, a, b, __VA_ARGS__)
#define NS_CHECK_LT(a, b, ...) NS_CHECK_OP_AS(::neuroscale::Error, <, a, b, __VA_ARGS__)
#define NS_CHECK_LE(a, b, ...) NS_CHECK_OP_AS(::neuroscale::Error, <=, a, b, __VA_ARGS__)
#define NS_CHECK_GT(a, b, ...) NS_CHECK_OP_AS(::neuroscale::Error, >, a, b, __VA_ARGS__)
#define NS_CHECK_GE(a, b, ...) NS_CHECK_OP_AS(::neuroscale::Error, >=, a, b, __VA_ARGS__)

// A broken internal invariant (a bug), never a user error.
#define NS_ASSERT(cond, ...) NS_CHECK_AS(::neuroscale::InternalError, cond, __VA_ARGS__)
