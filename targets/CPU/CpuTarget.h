// The x86-64 CPU targets (host, x86-64-v3, x86-64-v4): what each requires of the machine that runs
// its code, and their registration. The target's pass order is in CpuPipeline.cpp.
#ifndef DLC_TARGETS_CPU_CPUTARGET_H
#define DLC_TARGETS_CPU_CPUTARGET_H

#include "targets/CPU/CpuDescription.h"
#include "targets/Target.h"

#include <cstdint>
#include <string>

namespace dlc::cpu {

/// A CPU target name resolved to what LLVM and the runtime check need.
struct CpuModel {
  std::string triple;       ///< LLVM target triple
  std::string cpu;          ///< LLVM CPU name
  std::string features;     ///< LLVM feature string (+avx512f,...)
  uint64_t requiredCpu = 0; ///< DLC_CPU_* bits the generated code checks at run time
  bool isHost = false;      ///< the machine that compiles: its caches are read from the system
  /// bf16 and int8 products and convolutions run on AMX tiles (xeon-amx, and the host where
  /// it has AMX)
  bool amx = false;
  /// The tile operations are replaced by vector code with their semantics, and the library
  /// does not require AMX: for testing the AMX kernels on CPUs without it.
  bool emulateAmx = false;
};

/// The AMX target's name: Sapphire Rapids' features with AMX, bf16 products on tiles.
inline constexpr const char *kAmxTargetName = "xeon-amx";

/// For tests on CPUs without AMX: the xeon-amx targets created from now on emulate the tile
/// operations with AVX-512 code (`dlc compile --emulate-amx`, hidden).
void setAmxEmulation(bool emulate);

/// Resolves a CPU target name; `host` is this machine's CPU and features.
llvm::Expected<CpuModel> resolveCpuModel(llvm::StringRef name);

/// Whether the model's CPU computes bf16 products faster than fp32 ones: it has AVX512-BF16
/// and vdpbf16ps was measured to outrun FMA on it (CpuTarget.cpp lists the measured CPUs).
bool computesBF16(const CpuModel &model);

/// Adds the passes for `model`'s CPU, which `cpu` describes, at `stage` (CpuPipeline.cpp).
void addCpuPasses(mlir::OpPassManager &pm, targets::Stage stage, const CpuModel &model,
                  const CpuDescription &cpu);

/// Generates the object or text of a model lowered by the CPU pipeline (CpuCodegen.cpp).
llvm::Expected<std::vector<targets::ObjectFile>>
generateCpuCode(const CpuModel &model, llvm::ArrayRef<mlir::ModuleOp> parts,
                const targets::ModelSignature &signature, targets::CodeKind kind);

/// Registers the CPU target names and the CPU passes.
void registerCpuTargets();

} // namespace dlc::cpu

#endif
