// The machines a model is split across: what each rank is, how fast it computes, how much
// memory it has, and the links between ranks level by level (docs/devices.md).
#ifndef DLC_COMPILER_PARALLEL_DEVICES_H
#define DLC_COMPILER_PARALLEL_DEVICES_H

#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dlc::parallel {

/// One rank's device. Every rank of a description is alike.
struct Device {
  std::string kind;   ///< "cpu" or "gpu"
  std::string name;   ///< what it is, for reports ("AMD EPYC core", "H100 SXM")
  std::string target; ///< the dlc target its code is compiled for ("host", "cuda-sm90")
  double gflops = 0;  ///< dense product rate the cost model divides FLOPs by (GFLOP/s)
  double memoryGiB = 0;   ///< memory a rank may use for weights and intermediates
  double memoryGBps = 0;  ///< memory bandwidth, for ops bound by bytes rather than FLOPs
  double efficiency = 0.7; ///< the share of `gflops` products reach
  double opOverheadUs = 1; ///< fixed cost of starting one op (a loop nest, a kernel launch)
};

/// A level of the hierarchy: `count` groups of the level below joined by one kind of link.
/// Level 0 groups devices (a socket or a node's NVLink domain), the next groups those.
struct Level {
  std::string name;      ///< "socket", "node", "network"
  int64_t count = 1;     ///< members per group at this level
  double gbps = 0;       ///< link bandwidth between two members, GB/s
  double latencyUs = 0;  ///< link latency, microseconds
};

/// The whole machine: ranks = product of the levels' counts, numbered with level 0 fastest.
struct Devices {
  Device device;
  std::vector<Level> levels;

  int64_t ranks() const;
  /// The level whose link joins a group of `size` consecutive ranks (the innermost level
  /// whose groups hold them all); nullptr for size 1.
  const Level *linkFor(int64_t size) const;
  /// The level that joins groups of `size` ranks spaced `stride` apart (a grid's outer axis).
  const Level *linkFor(int64_t size, int64_t stride) const;
};

/// Reads a devices file (JSON, format "dlc-devices" version 1; docs/devices.md). Errors name
/// the file and the field.
llvm::Expected<Devices> readDevices(const std::string &path);
/// Parses the text of a devices file; `what` names it in errors.
llvm::Expected<Devices> parseDevices(llvm::StringRef text, const std::string &what);
/// `--ranks=N`: N processes of the host target on this machine, one core each, sharing its
/// memory, joined by shared memory.
Devices hostRanks(int64_t ranks, double coreGflops, double memoryGiB);

} // namespace dlc::parallel

#endif
