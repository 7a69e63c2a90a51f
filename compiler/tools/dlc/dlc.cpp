// dlc: the command-line compiler. Parses the command line, installs the diagnostic format
// (file: node "name" (Op, opset N): reason), and calls the driver library.
#include "compiler/Driver/Artifacts.h"
#include "compiler/Driver/Compilation.h"
#include "compiler/Driver/Execute.h"
#include "compiler/Driver/Inspect.h"
#include "compiler/Driver/Shapes.h"
#include "frontends/onnx/ModelLoader.h"
#include "targets/CPU/CpuTarget.h"
#include "targets/Common/HeaderWriter.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>

namespace {

using namespace dlc;

const char *kUsage = R"(dlc - an ahead-of-time compiler for ONNX models

usage:
  dlc compile MODEL.onnx [--target=T] [--name=NAME] [--shape|--max-shape NAME=DIMS] -o DIR
        writes DIR/libNAME.a and DIR/NAME.h (link: cc app.c DIR/libNAME.a -lm -lpthread)
  dlc compile MODEL.onnx --emit=mlir|llvm|asm|obj [--compile-to=PHASE] [-o FILE]
        writes one intermediate form instead (to stdout when -o is absent, except obj)
  dlc run MODEL.onnx INPUT... --output-dir DIR
        compiles for this machine, runs once, writes DIR/output_0.npy ... in graph-output
        order; inputs are .npy or ONNX TensorProto .pb files, in graph-input order or NAME=FILE
  dlc bench MODEL.onnx [INPUT...] [--threads=N] [--iterations=N] [--warmup=N] [--json]
        compiles for this machine and times runs: median and p90 latency, throughput;
        inputs not given are filled with deterministic pseudo-random values
  dlc inspect MODEL.onnx
        inputs, outputs, op histogram, parameters, FLOP estimate and unsupported ops

symbolic dimensions (an input dimension named, like "batch", or unknown):
  --shape NAME=DIMS  fixes graph input NAME's shape, e.g. --shape x=1x3x224x224 (any command;
                     run and bench take the shapes of the input files given)
  --max-shape NAME=DIMS
                     compile only: bounds NAME's symbolic dimensions, e.g. x=8x3x224x224. One
                     static specialization is compiled per combination of values 1..max; NAME_run
                     then takes the values (const int64_t dims[]), NAME_WORKSPACE_SIZE is the
                     largest workspace, and NAME_output_shape() gives each output's shape
  --max-specializations=N
                     the most specializations --max-shape may need (default 64)
  A symbolic dimension that is neither fixed nor bounded is an error that names it.

options:
  --target=T         host (default: this CPU), x86-64-v3 (AVX2+FMA), x86-64-v4 (AVX-512)
  --name=NAME        C prefix of every symbol (default: the model file's stem)
  --emit=KIND        lib (default), mlir, llvm (optimized LLVM IR), asm, obj
  --compile-to=PHASE with --emit=mlir: graph, linalg, buffers or llvm (default llvm)
  -o PATH            output directory (lib) or file (other kinds)
  --output-dir DIR   where `dlc run` writes its outputs
  --threads=N        threads of `dlc bench` (default: $DLC_NUM_THREADS, else all usable CPUs)
  --iterations=N     timed runs of `dlc bench` (default 20)
  --warmup=N         untimed runs before them (default 3)
  --json             `dlc bench` prints one JSON object
  --stats            `dlc compile` prints the memory plan's figures to stderr
  -h, --help         this text
  --version          the version

MODEL may also be ONNX text (.onnxtxt). Exit status: 0 on success, 1 on any error; on error no
output file is left behind.
)";

/// The command line of one dlc invocation.
struct Options {
  std::string command, model, target = "host", name, emit = "lib", compileTo, output, outputDir;
  driver::InputFiles inputs;
  driver::BenchOptions bench;
  driver::ShapeOptions shapes;
  bool stats = false;
};

/// Parses a non-negative integer option value.
std::optional<int> parseCount(const std::string &value) {
  int count;
  if (llvm::StringRef(value).getAsInteger(10, count) || count < 0)
    return std::nullopt;
  return count;
}

int usageError(const std::string &message) {
  llvm::errs() << "dlc: error: " << message << "\nrun 'dlc --help' for usage\n";
  return 1;
}

/// Parses argv; returns an error message, or std::nullopt on success.
std::optional<std::string> parse(int argc, char **argv, Options &options) {
  std::vector<std::string> args(argv + 1, argv + argc);
  for (size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i], value;
    auto takeValue = [&](const std::string &flag) -> bool {
      if (arg.rfind(flag + "=", 0) == 0) {
        value = arg.substr(flag.size() + 1);
        return true;
      }
      if (arg == flag && i + 1 < args.size()) {
        value = args[++i];
        return true;
      }
      return false;
    };
    if (options.command.empty() && arg.rfind("-", 0) != 0)
      options.command = arg;
    else if (takeValue("--target")) options.target = value;
    else if (takeValue("--name")) options.name = value;
    else if (takeValue("--emit")) options.emit = value;
    else if (takeValue("--compile-to")) options.compileTo = value;
    else if (takeValue("-o")) options.output = value;
    else if (takeValue("--output-dir")) options.outputDir = value;
    else if (takeValue("--shape") || takeValue("--max-shape")) {
      bool bound = arg.rfind("--max-shape", 0) == 0;
      auto &shapes = bound ? options.shapes.bounds : options.shapes.fixed;
      if (auto error = driver::parseShapeArgument(bound ? "--max-shape" : "--shape", value,
                                                  shapes))
        return *error;
    } else if (takeValue("--max-specializations")) {
      std::optional<int> count = parseCount(value);
      if (!count || *count == 0)
        return "invalid value '" + value + "' for --max-specializations";
      options.shapes.maxSpecializations = *count;
    }
    else if (takeValue("--iterations") || takeValue("--warmup") || takeValue("--threads")) {
      std::optional<int> count = parseCount(value);
      std::string flag = arg.substr(0, arg.find('='));
      bool positive = flag == "--iterations" || flag == "--threads";
      if (!count || (positive && *count == 0))
        return "invalid value '" + value + "' for " + flag;
      (flag == "--iterations" ? options.bench.iterations
       : flag == "--warmup"   ? options.bench.warmup
                              : options.bench.threads) = *count;
    } else if (arg == "--json")
      options.bench.json = true;
    else if (arg == "--stats")
      options.stats = true;
    else if (arg.rfind("-", 0) == 0 && arg != "-")
      return "unknown or incomplete option '" + arg + "'";
    else if (options.model.empty())
      options.model = arg;
    else if (options.command == "run" || options.command == "bench") {
      size_t eq = arg.find('=');
      if (eq != std::string::npos && arg.find('/') > eq)
        options.inputs.push_back({arg.substr(0, eq), arg.substr(eq + 1)});
      else
        options.inputs.push_back({"", arg});
    } else
      return "unexpected argument '" + arg + "'";
  }
  if (options.command != "compile" && options.command != "run" && options.command != "bench" &&
      options.command != "inspect")
    return options.command.empty() ? "no command given"
                                   : "unknown command '" + options.command + "'";
  if (options.model.empty())
    return "no model file given";
  if (!options.shapes.bounds.empty() && options.command != "compile")
    return "--max-shape is for dlc compile; " + options.command + " needs fixed shapes (--shape)";
  return std::nullopt;
}

/// Prints diagnostics as `dlc: error: FILE: node "NAME" MESSAGE`.
void printDiagnostic(mlir::Diagnostic &diag) {
  std::string file, node;
  diag.getLocation()->walk([&](mlir::Location loc) {
    if (auto named = mlir::dyn_cast<mlir::NameLoc>(loc); named && node.empty())
      node = named.getName().str();
    if (auto fileLoc = mlir::dyn_cast<mlir::FileLineColLoc>(loc); fileLoc && file.empty())
      file = fileLoc.getFilename().str();
    return mlir::WalkResult::advance();
  });
  const char *severity = diag.getSeverity() == mlir::DiagnosticSeverity::Error ? "error"
                         : diag.getSeverity() == mlir::DiagnosticSeverity::Warning ? "warning"
                                                                                   : "note";
  llvm::errs() << "dlc: " << severity << ": ";
  if (!file.empty())
    llvm::errs() << file << ": ";
  if (!node.empty())
    llvm::errs() << "node \"" << node << "\" ";
  llvm::errs() << diag.str() << "\n";
}

int reportError(llvm::Error error) {
  llvm::errs() << "dlc: error: " << llvm::toString(std::move(error)) << "\n";
  return 1;
}

int compileCommand(mlir::MLIRContext &context, const Options &options) {
  driver::CompileRequest request;
  request.modelPath = options.model;
  request.name = options.name;
  request.target = options.target;
  if (!options.name.empty() && targets::makeCIdentifier(options.name, "") != options.name)
    return usageError("--name=" + options.name + " is not a C identifier");
  auto target = targets::resolveCpuTarget(options.target);
  if (!target)
    return usageError(llvm::toString(target.takeError()));
  static const std::vector<std::string> kinds = {"lib", "mlir", "llvm", "asm", "obj"};
  if (std::find(kinds.begin(), kinds.end(), options.emit) == kinds.end())
    return usageError("--emit=" + options.emit + " is not one of lib, mlir, llvm, asm, obj");
  auto phase = pipelines::parsePhase(options.compileTo.empty() ? "llvm" : options.compileTo);
  if (!phase)
    return usageError("--compile-to=" + options.compileTo +
                      " is not one of graph, linalg, buffers, llvm");
  if (!options.compileTo.empty() && options.emit != "mlir")
    return usageError("--compile-to needs --emit=mlir");
  if (options.output.empty() && (options.emit == "lib" || options.emit == "obj"))
    return usageError("-o is required for --emit=" + options.emit);

  auto model = onnx_frontend::readModel(options.model);
  if (!model)
    return reportError(model.takeError());
  auto plan = driver::planShapes(*model, options.model, options.shapes);
  if (!plan)
    return reportError(plan.takeError());
  std::string output = options.output.empty() ? "-" : options.output;
  if (options.emit == "mlir") {
    if (!plan->dims.empty())
      return usageError("--emit=mlir shows one compilation; fix the dimensions with --shape");
    driver::Compilation compilation(context, request);
    if (failed(driver::specializeModel(context, *model, options.model,
                                       {plan->specializations.front().inputShapes, {}})) ||
        failed(compilation.import(*model)) || failed(compilation.lowerTo(*phase)))
      return 1;
    if (options.stats && *phase >= pipelines::Phase::Buffers)
      driver::printMemoryPlan(compilation.signature(), llvm::errs());
    std::string text;
    llvm::raw_string_ostream stream(text);
    compilation.module().print(stream);
    return failed(driver::writeOutputFile(context, options.model, output, text)) ? 1 : 0;
  }
  auto kind = options.emit == "llvm"  ? driver::Compilation::Output::LLVMIR
              : options.emit == "asm" ? driver::Compilation::Output::Assembly
                                      : driver::Compilation::Output::Object;
  auto compiled = driver::compileModel(context, request, *model, *plan, kind);
  if (failed(compiled))
    return 1;
  if (options.stats)
    driver::printMemoryPlan(compiled->signature, llvm::errs());
  if (options.emit == "lib")
    return failed(driver::writeLibrary(context, options.model, *compiled, options.output)) ? 1
                                                                                             : 0;
  return failed(driver::writeOutputFile(context, options.model, output, compiled->code)) ? 1 : 0;
}

int runCommand(mlir::MLIRContext &context, const Options &options) {
  if (options.outputDir.empty())
    return usageError("dlc run needs --output-dir DIR");
  return failed(driver::runModel(context, options.model, options.inputs, options.shapes.fixed,
                                 options.outputDir))
             ? 1
             : 0;
}

int benchCommand(mlir::MLIRContext &context, const Options &options) {
  return failed(driver::benchModel(context, options.model, options.inputs, options.shapes.fixed,
                                   options.bench, llvm::outs()))
             ? 1
             : 0;
}

int inspectCommand(mlir::MLIRContext &context, const Options &options) {
  auto model = onnx_frontend::readModel(options.model);
  if (!model)
    return reportError(model.takeError());
  if (llvm::Error error = onnx_frontend::bindInputs(*model, options.model,
                                                    {options.shapes.fixed, {}}))
    return reportError(std::move(error));
  if (llvm::Error error = onnx_frontend::inferShapes(*model, options.model))
    return reportError(std::move(error));
  if (driver::inspectModel(*model, options.model, llvm::outs()) > 0)
    return 0;
  // A supported model with static shapes is planned, to report its workspace.
  if (auto plan = driver::planShapes(*model, options.model, {}); !plan) {
    llvm::outs() << "workspace: unavailable (" << llvm::toString(plan.takeError()) << ")\n";
    return 0;
  }
  driver::CompileRequest request;
  request.modelPath = options.model;
  driver::Compilation compilation(context, request);
  if (failed(compilation.import(*model)) ||
      failed(compilation.lowerTo(pipelines::Phase::Buffers))) {
    llvm::outs() << "workspace: unavailable (the model does not compile; see the errors above)\n";
    return 0;
  }
  driver::printMemoryPlan(compilation.signature(), llvm::outs());
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-h" || arg == "--help" || arg == "help") {
      llvm::outs() << kUsage;
      return 0;
    }
    if (arg == "--version") {
      llvm::outs() << "dlc " << DLC_VERSION << " (MLIR/LLVM " << LLVM_VERSION_STRING << ")\n";
      return 0;
    }
  }
  Options options;
  if (std::optional<std::string> error = parse(argc, argv, options))
    return usageError(*error);

  mlir::DialectRegistry registry;
  driver::registerDialects(registry);
  mlir::MLIRContext context(registry);
  context.disableMultithreading();
  mlir::ScopedDiagnosticHandler handler(&context, [](mlir::Diagnostic &diag) {
    printDiagnostic(diag);
    return mlir::success();
  });
  if (options.command == "compile")
    return compileCommand(context, options);
  if (options.command == "run")
    return runCommand(context, options);
  if (options.command == "bench")
    return benchCommand(context, options);
  return inspectCommand(context, options);
}
