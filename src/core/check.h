#pragma once
// BARGE_CHECK: aborts with file and line when a programmer error (a broken
// invariant) is found, in every build. Never use it for input a user or the
// network can produce: return an Error instead.
#include <cstdio>
#include <cstdlib>

#define BARGE_CHECK(cond, why)                                                           \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "%s:%d: check failed: %s (%s)\n", __FILE__, __LINE__, #cond, \
                   why);                                                                 \
      std::abort();                                                                      \
    }                                                                                    \
  } while (false)
