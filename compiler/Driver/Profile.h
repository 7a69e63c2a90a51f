// The kernel profile of `dlc bench --profile`: the runtime's events of the timed runs (a library
// compiled with --profile records them; runtime/include/dlc/profile.h), summed per kernel into a
// table, and written as Chrome trace JSON.
#ifndef DLC_COMPILER_DRIVER_PROFILE_H
#define DLC_COMPILER_DRIVER_PROFILE_H

#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace dlc::driver {

/// The figures per run, over the timed runs, of the kernels that compute one set of ONNX nodes
/// (a product's blocks and its remainder are several kernels of one name).
struct KernelFigures {
  std::string name;
  int32_t kind = 0;        ///< DLC_RT_PROFILE_FP32, _BF16 or _INT8: the row's fastest
  double milliseconds = 0; ///< time per run
  double operations = 0;   ///< multiply-adds (as two operations each) per run
  int64_t calls = 0;       ///< kernel calls over all runs
};

/// The events recorded since the last reset, one entry per kernel name (in order of first
/// call), each averaged over `runs` runs.
std::vector<KernelFigures> summarizeProfile(int runs);

/// Prints `kernels` of `runs` runs, slowest first: time per run, share of `runMilliseconds`,
/// achieved
/// G(FL)OP/s and the share of its instruction's peak (`peaks`: fp32, bf16, int8 operations per
/// second of one core, times `threads`; 0 where unknown). At most `rows` rows, then a sum of the
/// rest.
void printProfile(const std::vector<KernelFigures> &kernels, int runs, double runMilliseconds,
                  const double peaks[3], int threads, size_t rows, llvm::raw_ostream &out);

/// `kernels` as a JSON array (for `dlc bench --json --profile`).
void printProfileJson(const std::vector<KernelFigures> &kernels, llvm::raw_ostream &out);

/// Writes the recorded events and the runs around them (start and end on the profile's clock)
/// to `path` as Chrome trace JSON (chrome://tracing, Perfetto), all or nothing.
llvm::Error writeTrace(const std::string &path, const std::string &model,
                       const std::vector<std::pair<int64_t, int64_t>> &runs);

} // namespace dlc::driver

#endif
