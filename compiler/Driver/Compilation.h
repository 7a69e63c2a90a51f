// One model's compilation: load and import the ONNX file, run the pipeline to a phase, and
// produce LLVM IR, assembly or an object. Diagnostics go through the MLIR context's handler.
#ifndef DLC_COMPILER_DRIVER_COMPILATION_H
#define DLC_COMPILER_DRIVER_COMPILATION_H

#include "compiler/Driver/Shapes.h"
#include "compiler/Pipelines/Pipeline.h"
#include "frontends/onnx/Importer.h"
#include "frontends/onnx/ModelLoader.h"
#include "targets/Common/Artifact.h"
#include "targets/Target.h"

#include "onnx/onnx_pb.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/JSON.h"

#include <map>
#include <memory>
#include <optional>
#include <string>

namespace dlc::driver {

/// The format a compilation's products compute in (--precision, --calibration,
/// --precision-plan).
struct PrecisionOptions {
  /// "fp32", "bf16", "int8", or "mixed": each node in the format `planPath` gives it.
  std::string format = "fp32";
  /// With int8 (or a plan with int8 nodes): dlc calibrate's table of the model's tensor ranges.
  std::string calibrationPath;
  /// With mixed: the precision plan (format dlc-precision-plan; docs/design.md).
  std::string planPath;
};

/// What to compile and how.
struct CompileRequest {
  std::string modelPath;
  /// The C name; empty means the model file's stem made a C identifier.
  std::string name;
  std::string target = "host";
  /// The graph function's name; empty means NAME_graph.
  std::string graphFunction;
  /// The format matrix products compute in.
  PrecisionOptions precision;
  /// Kernels record their times into the runtime's profile (dlc/profile.h).
  bool profile = false;
  /// A tuning file (format dlc-tuning, written by dlc tune): its strategies for the target's
  /// CPU replace the cost model's where they apply. Empty: none.
  std::string tuningPath;
};

/// The precision `target` compiles a `requested` one in: fp32 for bf16 where the target's bf16
/// products are no faster than its fp32 ones.
std::string effectivePrecision(const targets::Target &target, const std::string &requested);

/// Emits an error located at the model file `modelPath` and returns failure.
mlir::LogicalResult emitModelError(mlir::MLIRContext &context, const std::string &modelPath,
                                   const llvm::Twine &message);

/// The default C name of a model file: its stem made a C identifier.
std::string defaultModelName(const std::string &modelPath);

/// Creates the target `request` names; an unknown name is reported at the model file.
mlir::FailureOr<std::shared_ptr<const targets::Target>>
createTarget(mlir::MLIRContext &context, const CompileRequest &request);

/// A compilation in progress. Each step reports failures through `context`'s diagnostics.
class Compilation {
public:
  /// A compilation for `target`, or for the target `request` names when it is null (created,
  /// and an unknown name reported, on import).
  Compilation(mlir::MLIRContext &context, CompileRequest request,
              std::shared_ptr<const targets::Target> target = nullptr);

  /// Imports the model, which has static input shapes and has been through shape inference
  /// (phase graph, before any pass).
  mlir::LogicalResult import(const onnx::ModelProto &model);
  /// Runs the pipeline up to and including `phase`.
  mlir::LogicalResult lowerTo(pipelines::Phase phase);
  /// The target's code for the module: the library's object files, or one LLVM IR or assembly
  /// text; needs phase llvm.
  mlir::FailureOr<std::vector<targets::ObjectFile>> emit(targets::CodeKind kind);

  mlir::ModuleOp module() { return *module_; }
  const std::string &graphFunction() const { return request_.graphFunction; }
  const targets::ModelSignature &signature() const { return signature_; }
  const CompileRequest &request() const { return request_; }
  const targets::Target &target() const { return *target_; }

  /// Emits an error located at the model file.
  mlir::LogicalResult fail(const llvm::Twine &message);

private:
  /// Reads the request's calibration table into `ranges` (tensor name -> [low, high]).
  mlir::LogicalResult readCalibration(std::map<std::string, std::pair<double, double>> &ranges);
  /// Puts the strategies the request's tuning file holds for the target's CPU on the module's
  /// functions (targets::kTuningAttr) before the first phase runs; notes on stderr when the file
  /// has none for that CPU.
  mlir::LogicalResult applyTuning();
  /// Reads the request's precision plan into `formats` (node name -> fp32, bf16 or int8).
  mlir::LogicalResult readPlan(std::map<std::string, std::string> &formats);
  /// Fails unless every node the plan in `options` names is one of `model`'s; a bf16 node
  /// becomes fp32 where the target's bf16 products are no faster.
  mlir::LogicalResult checkPlanNodes(const onnx::ModelProto &model,
                                     onnx_frontend::ImportOptions &options);
  /// The JSON document at `path` (a `what`, for messages) once it is checked to be of `format`,
  /// version 1, and, `ofThisModel`, made from the request's model (its model_sha256);
  /// std::nullopt after an error.
  std::optional<llvm::json::Value> readDocument(const std::string &path, llvm::StringRef format,
                                                llvm::StringRef what, bool ofThisModel = true);

  mlir::MLIRContext &context_;
  CompileRequest request_;
  std::shared_ptr<const targets::Target> target_;
  mlir::OwningOpRef<mlir::ModuleOp> module_;
  targets::ModelSignature signature_;
  std::optional<pipelines::Phase> phase_;
};

/// Binds `bindings` to the inputs of `model` (read from `path`, not yet shape-inferred) and
/// runs shape inference; failures are emitted at the model file.
mlir::LogicalResult specializeModel(mlir::MLIRContext &context, onnx::ModelProto &model,
                                   const std::string &path,
                                   const onnx_frontend::InputBindings &bindings);

/// The code of a compiled model, its interface, and what its target adds to the library.
struct CompiledModel {
  targets::ModelSignature signature;
  /// The library's object files, or one LLVM IR or assembly text.
  std::vector<targets::ObjectFile> files;
  /// The runtime pieces the library links (targets::Target::runtimeComponents).
  std::vector<std::string> runtimeComponents;
  /// Declarations the target adds to NAME.h.
  std::string headerExtras;
};

/// Compiles `model` (read, not yet shape-inferred) once per specialization of `plan` and
/// generates `kind` with one entry point: NAME_run, which takes the symbolic dimensions' values
/// when the plan has any. Equal weights are stored once.
mlir::FailureOr<CompiledModel> compileModel(mlir::MLIRContext &context,
                                            const CompileRequest &request,
                                            const onnx::ModelProto &model,
                                            const ShapePlan &plan, targets::CodeKind kind);

/// Registers every dialect and interface the pipeline needs on `registry`.
void registerDialects(mlir::DialectRegistry &registry);

} // namespace dlc::driver

#endif
