// The interface between the compiler and a code generation target, and the registry of targets.
// The driver knows targets only through this file; each target lives in its own folder.
#ifndef DLC_TARGETS_TARGET_H
#define DLC_TARGETS_TARGET_H

#include "targets/Common/Artifact.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace dlc::targets {

/// The points of the pipeline where a target adds its passes. The compiler's target-independent
/// passes run before, between and after them (compiler/Pipelines/Pipeline.cpp orders both).
enum class Stage {
  /// Linalg on tensors right after the graph -> linalg hand-off, before elementwise fusion: the
  /// target chooses algorithms for named ops (a convolution as Winograd, im2col + product, ...).
  Algorithms,
  /// Fused linalg on tensors, before bufferization: packing of constant operands, tiling,
  /// vectorization or GPU mapping.
  Tensors,
  /// Bufferized functions with results in out-parameters, before the memory plan: clean-ups
  /// that need buffers (accumulators kept in registers, prefetches).
  Buffers,
  /// Planned buffers to the LLVM dialect: host code, and device code with its binaries.
  Lowering,
};

/// The attribute of the graph function in which a target's passes record how they compute the
/// ops they chose a strategy for (a convolution as Winograd, say): an array of strings
/// "node\tstrategy\twhy", which `dlc compile --stats` prints.
inline constexpr llvm::StringLiteral kStrategiesAttr = "dlc.strategies";

/// The attribute of the graph function that holds a tuning file's choices for the target's CPU
/// (`dlc compile --tuning`): a dictionary from a kernel's shape key (the fourth field of its
/// kStrategiesAttr line) to the strategy dlc tune measured fastest for it. A target's passes
/// follow it where the strategy is one of the kernel's candidates.
inline constexpr llvm::StringLiteral kTuningAttr = "dlc.tuning";

/// The number formats a target's kernels compute in, as bits of `TargetInfo::precisions`.
enum Precision : unsigned {
  kPrecisionF32 = 1u << 0,
  kPrecisionBF16 = 1u << 1,
  kPrecisionF16 = 1u << 2,
  kPrecisionInt8 = 1u << 3,
};

/// The spelling of each precision bit set in `precisions`: "f32, bf16".
std::string describePrecisions(unsigned precisions);

/// What code generation writes.
enum class CodeKind {
  Object,   ///< the library's object files: host code, and device code where the target has any
  Assembly, ///< assembly text of the host code
  LLVMIR,   ///< optimized LLVM IR text of the host code
};

class Target;

/// One `--target` name, as listed by `dlc --help` and the registry.
struct TargetInfo {
  std::string name;         ///< what --target takes: "x86-64-v4"
  std::string summary;      ///< one line: "x86-64 with AVX-512 F/BW/CD/DQ/VL"
  std::string requirements; ///< what a machine needs to run the generated code
  unsigned precisions = kPrecisionF32; ///< Precision bits the kernels compute in
  /// The --precision a compilation for this target uses when none is given.
  std::string defaultPrecision = "fp32";
  /// A line on what `precision` means for this target, which the driver prints once
  /// (`byDefault`: the user gave no --precision); empty for nothing to say.
  std::function<std::string(llvm::StringRef precision, bool byDefault)> precisionNote;
  /// Creates the target for this name; detection (of the host CPU, say) happens here.
  std::function<llvm::Expected<std::unique_ptr<Target>>(const TargetInfo &)> create;
};

/// A configured code generation target. One instance serves a whole compilation, every
/// specialization of a model included.
class Target {
public:
  explicit Target(TargetInfo info) : info_(std::move(info)) {}
  virtual ~Target();

  /// The registered name this target was created for.
  const TargetInfo &info() const { return info_; }

  /// Whether the generated code can hold and compute tensors of element type `type`. The driver
  /// checks every graph value after import and names the op of one that is not.
  virtual bool supportsElementType(mlir::Type type) const = 0;

  /// Adds the target's passes at `stage` to `pm`, which runs on the module.
  virtual void addPasses(mlir::OpPassManager &pm, Stage stage) const = 0;

  /// Generates the code of a model from `parts`, its modules lowered through Stage::Lowering:
  /// one for a model with static shapes, one per specialization (`signature.specializations`)
  /// otherwise, each holding the graph function that the signature names. The code includes the
  /// C entry points of the artifact contract (NAME_run, and NAME_output_shape for symbolic
  /// dimensions). CodeKind::Object gives every object file the library needs; the text kinds
  /// give one file.
  virtual llvm::Expected<std::vector<ObjectFile>>
  generateCode(llvm::ArrayRef<mlir::ModuleOp> parts, const ModelSignature &signature,
               CodeKind kind) const = 0;

  /// The runtime pieces (sources under runtime/src, by stem: "thread_pool") that the library
  /// links; the archive writer copies exactly these members of the embedded runtime.
  virtual std::vector<std::string> runtimeComponents() const = 0;

  /// Declarations added to NAME.h after the contract's own (empty unless a target needs any).
  virtual std::string headerExtras(const ModelSignature &signature) const;

  /// One line on what the target's kernels are shaped for (a CPU's vectors, caches and register
  /// blocks), which `dlc compile --stats` prints; nothing by default.
  virtual void printDescription(llvm::raw_ostream &os) const;

  /// The machine whose measurements a tuning file records under for this target, and which
  /// `--tuning` applies (LLVM's name of the CPU the code is for: "znver3"); empty, the default,
  /// where the target has nothing to tune.
  virtual std::string tuningKey() const;

private:
  TargetInfo info_;
};

/// Adds a target name to the registry. Each target's registration function calls it once per
/// name; registering a name twice is a programming error.
void registerTarget(TargetInfo info);

/// Every registered target, in registration order.
llvm::ArrayRef<TargetInfo> registeredTargets();

/// The registered target `name`, or null.
const TargetInfo *findTarget(llvm::StringRef name);

/// The registered names, comma-separated, for messages and help.
std::string registeredTargetNames();

/// Creates the target registered as `name`; an unknown name is an error that lists the
/// registered ones.
llvm::Expected<std::unique_ptr<Target>> createTarget(llvm::StringRef name);

} // namespace dlc::targets

#endif
