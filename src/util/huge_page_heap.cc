#include "util/huge_page_heap.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>

namespace barge {

void ReexecWithHugePageHeap(char** argv) {
  if (std::getenv("MALLOC_CONF") != nullptr) return;
  if (dlsym(RTLD_DEFAULT, "mallctl") == nullptr) return;  // Not jemalloc.
  if (setenv("MALLOC_CONF", "thp:always,metadata_thp:always", 1) != 0) return;
  execv("/proc/self/exe", argv);
  unsetenv("MALLOC_CONF");  // The exec failed: go on as we are.
}

}  // namespace barge
