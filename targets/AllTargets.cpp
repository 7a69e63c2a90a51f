// Registration of every target built into dlc, in the order `dlc --help` lists them.
// A new target adds its registration call here.
#include "targets/AllTargets.h"

#include "targets/CPU/CpuTarget.h"

#include <mutex>

namespace dlc::targets {

void registerAllTargets() {
  static std::once_flag once;
  std::call_once(once, [] { cpu::registerCpuTargets(); });
}

} // namespace dlc::targets
