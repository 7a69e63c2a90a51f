// dlc: the command-line compiler. Its commands and options are llvm::cl declarations (--help is
// generated from them); it prints diagnostics as `file: node "name" reason` and calls the driver.
#include "compiler/Driver/Artifacts.h"
#include "compiler/Driver/Compilation.h"
#include "compiler/Driver/DataParallel.h"
#include "compiler/Driver/Execute.h"
#include "compiler/Driver/Inspect.h"
#include "compiler/Driver/ParallelPlan.h"
#include "compiler/Driver/Progress.h"
#include "compiler/Driver/Shapes.h"
#include "compiler/Parallel/Planner.h"
#include "compiler/Pipelines/Pipeline.h"
#include "frontends/onnx/ModelLoader.h"
#include "targets/AllTargets.h"
#include "targets/CPU/CorePeaks.h"
#include "targets/CPU/CpuTarget.h"
#include "targets/Common/HeaderWriter.h"
#include "targets/Target.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"

#include <optional>

#include <unistd.h>

namespace {

using namespace dlc;
namespace cl = llvm::cl;

// The commands; `dlc targets` is made by targetsSubcommand(), once the registry can name them.
cl::SubCommand compileSubcommand(
    "compile", "Compiles a model into a static library and C header, or one intermediate form");
cl::SubCommand runSubcommand(
    "run", "Runs a model once (compiled for this machine) on input files; writes .npy outputs");
cl::SubCommand benchSubcommand(
    "bench",
    "Times a model's runs (compiled for this machine): median and p90 latency, throughput");
cl::SubCommand inspectSubcommand(
    "inspect",
    "Prints a model's inputs, outputs, ops, unsupported ops, parameters, FLOPs, workspace");
// Its options are those of compare.py (dlc compare --help), which main runs directly.
cl::SubCommand compareSubcommand(
    "compare", "Finds the first tensor whose value differs from onnxruntime's (--bisect to "
               "narrow a long model by compiling prefixes)");
// Its options are those of tune.py (dlc tune --help), which main runs directly.
cl::SubCommand tuneSubcommand(
    "tune", "Measures each convolution's candidate strategies on this machine and records the "
            "fastest in a tuning file (--tuning)");
// Its options are those of calibrate.py (dlc calibrate --help), which main runs directly.
cl::SubCommand calibrateSubcommand(
    "calibrate", "Records the range of every float tensor over a set of inputs (minmax, "
                 "percentile or entropy) in a JSON table");
cl::SubCommandGroup modelSubcommands({&compileSubcommand, &runSubcommand, &benchSubcommand,
                                      &inspectSubcommand});
cl::SubCommandGroup executeSubcommands({&runSubcommand, &benchSubcommand});
cl::SubCommandGroup fixedShapeSubcommands({&runSubcommand, &benchSubcommand, &inspectSubcommand});
cl::SubCommandGroup compilingSubcommands({&compileSubcommand, &runSubcommand, &benchSubcommand,
                                          &inspectSubcommand});
cl::SubCommandGroup targetSubcommands({&compileSubcommand, &inspectSubcommand});

// The option groups of --help. Every option of dlc is in one, which lets main hide LLVM's own.
cl::OptionCategory targetCategory("Target options");
cl::OptionCategory outputCategory("Output options");
cl::OptionCategory shapeCategory(
    "Shape options",
    "A symbolic input dimension (named, like \"batch\", or unknown) is fixed with --shape or, by\n"
    "dlc compile, bounded with --max-shape; one that is neither is an error that names it.");
cl::OptionCategory runCategory(
    "Run options",
    "Inputs are .npy or ONNX TensorProto .pb files, in graph-input order or as NAME=FILE.");
cl::OptionCategory benchCategory(
    "Benchmark options",
    "Inputs are .npy or ONNX TensorProto .pb files, in graph-input order or as NAME=FILE;\n"
    "inputs without a file get deterministic pseudo-random values.");
cl::OptionCategory parallelCategory(
    "Parallel options",
    "dlc inspect --devices or --ranks plans how to split the model across processes and\n"
    "devices: data, tensor and pipeline parallelism chosen by a cost model (docs/devices.md);\n"
    "dlc compile with them builds one rank's library of a data-parallel plan.");
const cl::OptionCategory *const kCategories[] = {&targetCategory, &outputCategory, &shapeCategory,
                                                 &runCategory, &benchCategory,
                                                 &parallelCategory};

// Positional arguments. The model is optional to llvm::cl so that its absence gets dlc's message
// (and `dlc compile --dump-pipeline` needs none).
cl::opt<std::string> modelOption(cl::Positional, cl::desc("<model.onnx>"),
                                 cl::sub(modelSubcommands));
cl::list<std::string> inputOption(cl::Positional, cl::desc("[NAME=]FILE..."),
                                  cl::sub(executeSubcommands));
cl::list<std::string> commandOption(cl::Positional, cl::Hidden); // not a command: an error

// Its description lists the registered targets (completeCommandLine).
cl::opt<std::string> targetOption("target", cl::value_desc("name"), cl::init("host"),
                                  cl::sub(targetSubcommands), cl::cat(targetCategory));
cl::opt<bool> dumpPipelineOption(
    "dump-pipeline",
    cl::desc("Print the pass pipeline of each phase for --target (and --precision) and exit "
             "(no model needed)"),
    cl::sub(compileSubcommand), cl::cat(targetCategory));

cl::opt<std::string> precisionOption(
    "precision", cl::value_desc("format"), cl::init("fp32"),
    cl::desc("The format matrix products and convolutions with constant weights compute in\n"
             "(a QDQ model's quantized ones compute in int8 at any precision):\n"
             "  fp32 - everything in fp32 (the default)\n"
             "  bf16 - bf16 operands (weights rounded at compile time), sums in fp32; the\n"
             "         other ops in fp32. A target whose bf16 products are no faster than\n"
             "         fp32 (dlc targets lists its precisions) compiles in fp32\n"
             "  int8 - products and ungrouped convolutions of a calibrated input\n"
             "         (--calibration) by weights: uint8 by int8 per output channel, sums in\n"
             "         int32, scaled back to fp32\n"
             "  auto - per node the fastest of int8 (with --calibration), bf16 and fp32 that\n"
             "         keeps the outputs within --accuracy-budget on --validation inputs, or\n"
             "         the choice a --precision-plan file holds"),
    cl::sub(compilingSubcommands), cl::cat(targetCategory));
// For tests of the AMX kernels on CPUs without AMX (hidden: the library it gives is slow).
cl::opt<bool> emulateAmxOption(
    "emulate-amx",
    cl::desc("With --target=xeon-amx: replace AMX instructions by AVX-512 code with their "
             "semantics, so the library runs without AMX (for testing)"),
    cl::Hidden, cl::sub(targetSubcommands), cl::cat(targetCategory));
cl::opt<std::string> calibrationOption(
    "calibration", cl::value_desc("table.json"),
    cl::desc("With --precision=int8 or auto: the tensor ranges dlc calibrate wrote for this "
             "model"),
    cl::sub(compilingSubcommands), cl::cat(targetCategory));
cl::opt<std::string> accuracyBudgetOption(
    "accuracy-budget", cl::value_desc("E"),
    cl::desc("With --precision=auto: the largest error allowed against the fp32 model, as a\n"
             "fraction (0.01 is 1%) of --accuracy-metric"),
    cl::sub(compilingSubcommands), cl::cat(targetCategory));
cl::opt<std::string> accuracyMetricOption(
    "accuracy-metric", cl::value_desc("metric"), cl::init("relative-l2"),
    cl::desc("With --precision=auto: how the error is measured over the validation inputs:\n"
             "  relative-l2 - |y - y_fp32| / |y_fp32| of each output over all inputs, the\n"
             "                largest over the outputs (the default)\n"
             "  top1        - the fraction of rows (last axis) of each output whose largest\n"
             "                entry moves (for classifiers)"),
    cl::sub(compilingSubcommands), cl::cat(targetCategory));
cl::opt<std::string> precisionCostOption(
    "precision-cost", cl::value_desc("how"), cl::init("measured"),
    cl::desc("With --precision=auto: what each format costs a node:\n"
             "  measured - the model timed with every candidate in each format on this\n"
             "             machine (the default; the plan may differ between machines)\n"
             "  model    - multiply-adds per instruction (int8 4, bf16 2 per fp32 FMA):\n"
             "             the same plan wherever the same errors are measured"),
    cl::sub(compilingSubcommands), cl::cat(targetCategory));
cl::opt<std::string> validationOption(
    "validation", cl::value_desc("DIR|FILE.npz"),
    cl::desc("With --precision=auto: the inputs the error is measured on, as dlc calibrate's\n"
             "--data takes them (default: the samples the calibration table was made from)"),
    cl::sub(compilingSubcommands), cl::cat(targetCategory));
cl::opt<std::string> precisionPlanOption(
    "precision-plan", cl::value_desc("plan.json"),
    cl::desc("With --precision=auto: compile to this plan (which a compile with\n"
             "--accuracy-budget writes next to its library as NAME.precision.json) instead of\n"
             "searching"),
    cl::sub(compilingSubcommands), cl::cat(targetCategory));

cl::opt<std::string> tuningOption(
    "tuning", cl::value_desc("tuning.json"),
    cl::desc("Compute each convolution with the strategy dlc tune measured fastest for its\n"
             "shape on this CPU, where the file has one (else the cost model chooses)"),
    cl::sub(compileSubcommand), cl::sub(runSubcommand), cl::sub(benchSubcommand),
    cl::cat(targetCategory));

/// What `dlc compile` writes.
enum class Emit { Library, MLIR, LLVMIR, Assembly, Object };
cl::opt<Emit>
    emitOption("emit", cl::desc("What to write"), cl::init(Emit::Library),
               cl::values(clEnumValN(Emit::Library, "lib", "Static library and C header (default)"),
                          clEnumValN(Emit::MLIR, "mlir", "MLIR after the --compile-to phase"),
                          clEnumValN(Emit::LLVMIR, "llvm", "Optimized LLVM IR"),
                          clEnumValN(Emit::Assembly, "asm", "Assembly"),
                          clEnumValN(Emit::Object, "obj", "One object file (needs -o)")),
               cl::sub(compileSubcommand), cl::cat(outputCategory));

/// The spelling of `emit` on the command line.
const char *emitName(Emit emit) {
  switch (emit) {
  case Emit::Library: return "lib";
  case Emit::MLIR: return "mlir";
  case Emit::LLVMIR: return "llvm";
  case Emit::Assembly: return "asm";
  case Emit::Object: return "obj";
  }
  return "";
}

// Its description lists the phases (completeCommandLine).
cl::opt<std::string> compileToOption("compile-to", cl::value_desc("phase"),
                                     cl::sub(compileSubcommand), cl::cat(outputCategory));
cl::opt<std::string>
    outputOption("o",
                 cl::desc("Output directory for --emit=lib: DIR/libNAME.a and DIR/NAME.h (link:\n"
                          "cc app.c DIR/libNAME.a -lm -lpthread); output file for the other kinds\n"
                          "(default: stdout, except obj)"),
                 cl::value_desc("path"), cl::sub(compileSubcommand), cl::cat(outputCategory));
cl::opt<std::string> nameOption("name",
                                cl::desc("C prefix of every symbol (default: the model file's "
                                         "stem)"),
                                cl::value_desc("name"), cl::sub(compileSubcommand),
                                cl::cat(outputCategory));
cl::opt<std::string> tunableKernelsOption(
    "tunable-kernels", cl::value_desc("kernels.json"),
    cl::desc("Write the kernels dlc tune can choose a strategy for (node, shape key, strategy,\n"
             "candidates) to this JSON file"),
    cl::sub(compileSubcommand), cl::cat(outputCategory));
cl::opt<bool> quietOption("quiet",
                          cl::desc("No progress line (shown on a terminal while a compile runs)"),
                          cl::sub(compileSubcommand), cl::cat(outputCategory));
cl::alias quietShort("q", cl::desc("Alias for --quiet"), cl::aliasopt(quietOption),
                     cl::NotHidden);
cl::opt<bool> verboseOption("verbose",
                            cl::desc("Print the time each step of the compile took (import, "
                                     "each phase's passes, code generation, the library)"),
                            cl::sub(compileSubcommand), cl::cat(outputCategory));
cl::alias verboseShort("v", cl::desc("Alias for --verbose"), cl::aliasopt(verboseOption),
                       cl::NotHidden);
cl::opt<bool> statsOption("stats",
                          cl::desc("Print what the target's kernels are shaped for (vectors, "
                                   "caches, register blocks) and the memory plan's figures to "
                                   "stderr"),
                          cl::sub(compileSubcommand), cl::cat(outputCategory));

cl::opt<std::string> devicesOption(
    "devices", cl::value_desc("devices.json"),
    cl::desc("Plan the model across the ranks this file describes (docs/devices.md)"),
    cl::sub(inspectSubcommand), cl::sub(compileSubcommand), cl::cat(parallelCategory));
cl::opt<int> ranksOption(
    "ranks", cl::value_desc("N"), cl::init(0),
    cl::desc("Plan the model across N processes of this machine, one core each (its fp32\n"
             "peak is measured first, about 1.5 s)"),
    cl::sub(inspectSubcommand), cl::sub(compileSubcommand), cl::cat(parallelCategory));
cl::opt<parallel::Objective> objectiveOption(
    "objective", cl::desc("What the plan minimizes"), cl::init(parallel::Objective::Latency),
    cl::values(clEnumValN(parallel::Objective::Latency, "latency", "the time of one batch "
                                                                   "(default)"),
               clEnumValN(parallel::Objective::Throughput, "throughput",
                          "the time per sample, batches streaming through")),
    cl::sub(inspectSubcommand), cl::sub(compileSubcommand), cl::cat(parallelCategory));

cl::list<std::string>
    shapeOption("shape",
                cl::desc("Fix graph input NAME's shape, e.g. --shape x=1x3x224x224 (run and\n"
                         "bench take the shapes of the input files given)"),
                cl::value_desc("NAME=DIMS"), cl::sub(modelSubcommands), cl::cat(shapeCategory));
cl::list<std::string> maxShapeOption(
    "max-shape",
    cl::desc("Bound NAME's symbolic dimensions, e.g. x=8x3x224x224 (values 1..8)\n"
             "or x=1x3x48x320..960:32 (320, 352, ..., 960): one static\n"
             "specialization is compiled per combination of values; NAME_run\n"
             "then takes the values (const int64_t dims[]), NAME_WORKSPACE_SIZE is\n"
             "the largest workspace, and NAME_output_shape() gives each output's shape"),
    cl::value_desc("NAME=DIMS"), cl::sub(compileSubcommand), cl::cat(shapeCategory));
// Accepted by the other commands only to tell that they need fixed shapes.
cl::list<std::string> maxShapeElsewhereOption("max-shape", cl::ReallyHidden,
                                              cl::sub(fixedShapeSubcommands));
cl::opt<int64_t> maxSpecializationsOption(
    "max-specializations", cl::desc("The most specializations --max-shape may need (default 64)"),
    cl::value_desc("N"), cl::init(driver::ShapeOptions().maxSpecializations),
    cl::sub(compileSubcommand), cl::cat(shapeCategory));

cl::opt<std::string> outputDirOption(
    "output-dir", cl::desc("Where to write output_0.npy, output_1.npy, ... in graph-output order"),
    cl::value_desc("dir"), cl::sub(runSubcommand), cl::cat(runCategory));

cl::opt<int> threadsOption(
    "threads",
    cl::desc("Threads the model runs on (default: $DLC_NUM_THREADS, else all usable CPUs)"),
    cl::value_desc("N"), cl::init(driver::BenchOptions().threads), cl::sub(benchSubcommand),
    cl::cat(benchCategory));
cl::opt<int> iterationsOption("iterations", cl::desc("Timed runs (default 20)"),
                              cl::value_desc("N"), cl::init(driver::BenchOptions().iterations),
                              cl::sub(benchSubcommand), cl::cat(benchCategory));
cl::opt<int> warmupOption("warmup", cl::desc("Untimed runs before the timed ones (default 3)"),
                          cl::value_desc("N"), cl::init(driver::BenchOptions().warmup),
                          cl::sub(benchSubcommand), cl::cat(benchCategory));
cl::opt<bool> jsonOption("json", cl::desc("Print one JSON object"), cl::sub(benchSubcommand),
                         cl::cat(benchCategory));
cl::opt<bool> peakOption("peak",
                         cl::desc("Instead of a model, time one core's peak rate of each\n"
                                  "multiply-add instruction this CPU has (fp32 FMA, AVX512-BF16\n"
                                  "vdpbf16ps, AVX512-VNNI vpdpbusd; about 0.5 s each) and print\n"
                                  "it with the cache sizes"),
                         cl::sub(benchSubcommand), cl::cat(benchCategory));
cl::opt<bool> profileOption(
    "profile",
    cl::desc("Time each kernel of the generated code (two clock reads per kernel and run).\n"
             "compile: the library records its kernels' times (dlc/profile.h); bench: prints\n"
             "a table of the kernels, slowest first: time per run, share, G(FL)OP/s and share\n"
             "of one core's measured peak (measured first, about 1.5 s)"),
    cl::sub(compileSubcommand), cl::sub(benchSubcommand), cl::cat(outputCategory));
cl::opt<std::string> profileTraceOption(
    "profile-trace",
    cl::desc("With --profile: write the timed runs' kernels to FILE as Chrome trace JSON\n"
             "(chrome://tracing, ui.perfetto.dev)"),
    cl::value_desc("FILE"), cl::sub(benchSubcommand), cl::cat(benchCategory));

const char *kOverview =
    "dlc - an ahead-of-time compiler for ONNX models\n\n"
    "A model is an ONNX file or ONNX text (.onnxtxt). Exit status: 0 on success, 1 on any\n"
    "error; on error no output file is left behind.\n";

/// The command line of one dlc invocation.
struct Options {
  std::string command, model, target, name, compileTo, output, outputDir, precision, calibration;
  /// With --precision=auto: the search's settings, or the plan to compile to.
  std::string accuracyBudget, accuracyMetric, validation, precisionPlan, precisionCost;
  /// --tuning and --tunable-kernels.
  std::string tuning, tunableKernels;
  /// Whether precisionPlan is the search's (a temporary file, kept next to a library).
  bool searchedPlan = false;
  Emit emit = Emit::Library;
  bool dumpPipeline = false, stats = false;
  driver::InputFiles inputs;
  driver::BenchOptions bench;
  driver::ShapeOptions shapes;
};

/// `dlc targets`, whose description names the registered targets (so it is made after
/// registerAllTargets).
cl::SubCommand &targetsSubcommand() {
  static const std::string description =
      "Describes the registered targets: " + targets::registeredTargetNames();
  static cl::SubCommand subcommand("targets", description);
  return subcommand;
}

/// Completes the declarations above once the targets are registered: the help texts that come
/// from the registry and the pipeline's phases, `dlc targets`, -h, the version, and LLVM's own
/// options hidden from --help. Returns every command.
llvm::SmallVector<cl::SubCommand *> completeCommandLine() {
  llvm::SmallVector<cl::SubCommand *> commands = {&compileSubcommand, &runSubcommand,
                                                  &benchSubcommand, &inspectSubcommand,
                                                  &compareSubcommand, &calibrateSubcommand,
                                                  &tuneSubcommand, &targetsSubcommand()};
  static std::string targetHelp =
      "The code generation target (default host; dlc targets describes each):";
  size_t width = 0;
  for (const targets::TargetInfo &info : targets::registeredTargets())
    width = std::max(width, info.name.size());
  for (const targets::TargetInfo &info : targets::registeredTargets())
    targetHelp +=
        "\n  " + info.name + std::string(width - info.name.size(), ' ') + " - " + info.summary;
  targetOption.setDescription(targetHelp);

  static std::string compileToHelp = "With --emit=mlir, the last phase to run (default " +
                                     pipelines::phaseName(pipelines::allPhases().back()).str() +
                                     "):\n";
  for (pipelines::Phase phase : pipelines::allPhases())
    compileToHelp +=
        (phase == pipelines::allPhases().front() ? "" : ", ") + pipelines::phaseName(phase).str();
  compileToOption.setDescription(compileToHelp);

  if (cl::Option *help = cl::getRegisteredOptions(cl::SubCommand::getAll()).lookup("help")) {
    static cl::alias helpAlias("h", cl::desc("Alias for --help"), cl::aliasopt(*help));
  }
  cl::SetVersionPrinter([](llvm::raw_ostream &os) {
    os << "dlc " << DLC_VERSION << " (MLIR/LLVM " << LLVM_VERSION_STRING << ")\n";
  });
  cl::HideUnrelatedOptions(kCategories);
  for (cl::SubCommand *command : commands)
    cl::HideUnrelatedOptions(kCategories, *command);
  return commands;
}

/// Names an option of LLVM's given to `command`: llvm::cl looks an option that a command lacks up
/// among the top-level ones, where LLVM's libraries register theirs (`dlc run --threads=2` would
/// set one), but dlc's commands take their own options only.
std::optional<std::string> findLLVMOption(const cl::SubCommand &command) {
  for (const auto &entry : cl::getRegisteredOptions(cl::SubCommand::getTopLevel()))
    if (entry.second->getNumOccurrences() > 0 &&
        !entry.second->Subs.contains(&cl::SubCommand::getAll()))
      return "--" + entry.first.str() + " is not an option of dlc " + command.getName().str();
  return std::nullopt;
}

/// Reads the options of the command given into `options` and checks what llvm::cl does not;
/// returns an error message, or std::nullopt on success.
std::optional<std::string> readOptions(cl::SubCommand &command, Options &options) {
  options.command = command.getName().str();
  options.model = modelOption;
  options.target = targetOption;
  options.name = nameOption;
  options.emit = emitOption;
  options.compileTo = compileToOption;
  options.output = outputOption;
  options.outputDir = outputDirOption;
  options.dumpPipeline = dumpPipelineOption;
  options.stats = statsOption;
  options.precision = precisionOption;
  options.calibration = calibrationOption;
  options.accuracyBudget = accuracyBudgetOption;
  options.accuracyMetric = accuracyMetricOption;
  options.validation = validationOption;
  options.precisionPlan = precisionPlanOption;
  options.precisionCost = precisionCostOption;
  options.tuning = tuningOption;
  options.tunableKernels = tunableKernelsOption;
  dlc::cpu::setAmxEmulation(emulateAmxOption);
  // Without --precision, the target's default (bf16 on xeon-amx); the target may say what
  // the precision means for it, once.
  const targets::TargetInfo *target = targets::findTarget(options.target);
  bool byDefault = precisionOption.getNumOccurrences() == 0;
  if (target && byDefault)
    options.precision = target->defaultPrecision;
  if (target && target->precisionNote)
    if (std::string note = target->precisionNote(options.precision, byDefault); !note.empty())
      llvm::errs() << "dlc: note: target '" << target->name << "': " << note << "\n";
  if (options.precision != "fp32" && options.precision != "bf16" && options.precision != "int8" &&
      options.precision != "auto")
    return "--precision=" + options.precision + " is not one of fp32, bf16, int8, auto";
  if (options.precision == "int8" && options.calibration.empty())
    return "--precision=int8 needs --calibration TABLE.json (from dlc calibrate)";
  if (options.precision != "int8" && options.precision != "auto" && !options.calibration.empty())
    return "--calibration is for --precision=int8 or auto";
  bool searching = !options.accuracyBudget.empty() || validationOption.getNumOccurrences() ||
                   accuracyMetricOption.getNumOccurrences() ||
                   precisionCostOption.getNumOccurrences();
  if (options.precision != "auto" && (searching || !options.precisionPlan.empty()))
    return std::string(options.precisionPlan.empty() ? "--accuracy-budget, --accuracy-metric, "
                                                       "--precision-cost and --validation are"
                                                     : "--precision-plan is") +
           " for --precision=auto";
  if (options.precision == "auto" && options.precisionPlan.empty() &&
      options.accuracyBudget.empty())
    return "--precision=auto needs --accuracy-budget E (to search) or --precision-plan FILE (a "
           "plan found before)";
  if (options.precision == "auto" && !options.precisionPlan.empty() && searching)
    return "--precision-plan takes a plan found before: --accuracy-budget, --accuracy-metric, "
           "--precision-cost and --validation are for the search";
  if (options.precision == "auto" && !options.accuracyBudget.empty()) {
    double budget;
    if (llvm::StringRef(options.accuracyBudget).getAsDouble(budget) || !(budget > 0))
      return "--accuracy-budget=" + options.accuracyBudget + " is not a positive number";
    if (options.accuracyMetric != "relative-l2" && options.accuracyMetric != "top1")
      return "--accuracy-metric=" + options.accuracyMetric + " is not one of relative-l2, top1";
    if (options.precisionCost != "measured" && options.precisionCost != "model")
      return "--precision-cost=" + options.precisionCost + " is not one of measured, model";
  }
  for (const std::string &input : inputOption) {
    size_t eq = input.find('=');
    if (eq != std::string::npos && input.find('/') > eq)
      options.inputs.push_back({input.substr(0, eq), input.substr(eq + 1)});
    else
      options.inputs.push_back({"", input});
  }
  for (const std::string &shape : shapeOption)
    if (auto error = driver::parseShapeArgument("--shape", shape, options.shapes.fixed))
      return error;
  for (const std::string &shape : maxShapeOption)
    if (auto error = driver::parseBoundArgument(shape, options.shapes))
      return error;
  options.shapes.maxSpecializations = maxSpecializationsOption;
  if (options.shapes.maxSpecializations < 1)
    return "invalid value '" + std::to_string(maxSpecializationsOption) +
           "' for --max-specializations";
  // Zero threads is the runtime's default, but not a value to ask for.
  if (threadsOption < 0 || (threadsOption.getNumOccurrences() && threadsOption == 0))
    return "invalid value '" + std::to_string(threadsOption) + "' for --threads";
  if (iterationsOption < 1)
    return "invalid value '" + std::to_string(iterationsOption) + "' for --iterations";
  if (warmupOption < 0)
    return "invalid value '" + std::to_string(warmupOption) + "' for --warmup";
  options.bench.threads = threadsOption;
  options.bench.iterations = iterationsOption;
  options.bench.warmup = warmupOption;
  options.bench.json = jsonOption;
  options.bench.profile = profileOption;
  options.bench.traceFile = profileTraceOption;
  if (!options.bench.traceFile.empty() && !options.bench.profile)
    return "--profile-trace needs --profile";
  if (options.bench.profile && peakOption)
    return "--profile times a model's kernels; --peak times this CPU";
  if (peakOption && (!options.model.empty() || !options.inputs.empty()))
    return "--peak times this CPU, not a model: give no model or inputs";
  if (options.model.empty() && !options.dumpPipeline && !peakOption)
    return "no model file given";
  if (!devicesOption.empty() && ranksOption.getNumOccurrences())
    return "--devices describes the ranks; --ranks=N is the shorthand for N on this machine: "
           "give one";
  if (ranksOption.getNumOccurrences() && (ranksOption < 1 || ranksOption > 4096))
    return "--ranks=" + std::to_string(ranksOption) + " is not a number of ranks (1 to 4096)";
  if (objectiveOption.getNumOccurrences() && devicesOption.empty() &&
      !ranksOption.getNumOccurrences())
    return "--objective is for a plan across ranks: give --devices FILE or --ranks N";
  if (!maxShapeElsewhereOption.empty())
    return "--max-shape is for dlc compile; " + options.command + " needs fixed shapes (--shape)";
  return std::nullopt;
}

int usageError(const std::string &command, const std::string &message) {
  llvm::errs() << "dlc: error: " << message << "\nrun 'dlc " << command
               << (command.empty() ? "" : " ") << "--help' for usage\n";
  return 1;
}

/// The driver's precision options for the command line's.
driver::PrecisionOptions precisionOptions(const Options &options) {
  if (options.precision == "auto")
    return {"mixed", options.calibration, options.precisionPlan};
  return {options.precision, options.calibration, ""};
}

/// Prints diagnostics as `dlc: error: FILE: node "NAME" MESSAGE`.
void printDiagnostic(mlir::Diagnostic &diag) {
  driver::Progress::get().interrupt();
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

/// Prints one block per registered target.
int targetsCommand() {
  for (const targets::TargetInfo &info : targets::registeredTargets()) {
    llvm::outs() << (&info == targets::registeredTargets().begin() ? "" : "\n") << info.name
                 << "\n  summary: " << info.summary << "\n  requires: " << info.requirements
                 << "\n  precisions: " << targets::describePrecisions(info.precisions)
                 << (info.defaultPrecision == "fp32" ? ""
                                                     : " (default " + info.defaultPrecision + ")")
                 << "\n";
    auto target = targets::createTarget(info.name);
    if (!target) {
      llvm::consumeError(target.takeError());
      continue;
    }
    std::string description;
    llvm::raw_string_ostream stream(description);
    (*target)->printDescription(stream);
    if (!description.empty())
      llvm::outs() << "  kernels for: " << description << "\n";
  }
  return 0;
}

/// --tunable-kernels: the kernels of `signature` whose strategy dlc tune can choose, as JSON.
mlir::LogicalResult writeTunableKernels(mlir::MLIRContext &context, const Options &options,
                                        const targets::Target &target,
                                        const targets::ModelSignature &signature) {
  std::string text;
  llvm::raw_string_ostream stream(text);
  llvm::json::OStream out(stream, 2);
  out.object([&] {
    out.attribute("target", target.info().name);
    out.attribute("cpu", target.tuningKey());
    out.attributeArray("kernels", [&] {
      for (const auto &choice : signature.strategies)
        if (!choice.key.empty())
          out.object([&] {
            out.attribute("node", choice.node);
            out.attribute("key", choice.key);
            out.attribute("strategy", choice.name);
            out.attributeArray("candidates", [&] {
              for (const std::string &candidate : choice.candidates)
                out.value(candidate);
            });
          });
    });
  });
  stream << "\n";
  return driver::writeOutputFile(context, options.model, options.tunableKernels, text);
}

/// The ranks of --devices FILE, or of --ranks N on this machine.
llvm::Expected<parallel::Devices> requestedDevices() {
  if (!devicesOption.empty())
    return parallel::readDevices(devicesOption);
  std::vector<cpu::InstructionPeak> peaks = cpu::measureCorePeaks();
  double gflops = peaks.empty() ? 10 : peaks.front().best * 1e-9;
  double memory = double(sysconf(_SC_PHYS_PAGES)) * double(sysconf(_SC_PAGESIZE));
  return parallel::hostRanks(ranksOption, gflops, memory / (1024.0 * 1024 * 1024));
}

bool parallelRequested() { return !devicesOption.empty() || ranksOption.getNumOccurrences(); }

int compileCommand(mlir::MLIRContext &context, const Options &options) {
  auto usage = [&](const std::string &message) { return usageError(options.command, message); };
  driver::Progress &progress = driver::Progress::get();
  progress.configure(!quietOption, verboseOption);
  llvm::scope_exit done([&] { progress.finish(); });
  auto target = targets::createTarget(options.target);
  if (!target)
    return usage(llvm::toString(target.takeError()));
  if (options.dumpPipeline) {
    pipelines::PipelineOptions pipeline;
    pipeline.precision = driver::effectivePrecision(**target, precisionOptions(options).format);
    pipeline.profile = profileOption;
    pipelines::printPipeline(**target, llvm::outs(), pipeline);
    return 0;
  }
  if (options.stats) {
    llvm::errs() << "target " << (*target)->info().name << ": ";
    (*target)->printDescription(llvm::errs());
    llvm::errs() << "\n";
  }
  driver::CompileRequest request;
  request.modelPath = options.model;
  request.name = options.name;
  request.target = options.target;
  request.precision = precisionOptions(options);
  request.profile = profileOption;
  request.tuningPath = options.tuning;
  if (!options.name.empty() && targets::makeCIdentifier(options.name, "") != options.name)
    return usage("--name=" + options.name + " is not a C identifier");
  std::optional<pipelines::Phase> phase = pipelines::allPhases().back();
  if (!options.compileTo.empty())
    phase = pipelines::parsePhase(options.compileTo);
  if (!phase) {
    std::vector<std::string> names;
    for (pipelines::Phase known : pipelines::allPhases())
      names.push_back(pipelines::phaseName(known).str());
    return usage("--compile-to=" + options.compileTo + " is not one of " + llvm::join(names, ", "));
  }
  if (!options.compileTo.empty() && options.emit != Emit::MLIR)
    return usage("--compile-to needs --emit=mlir");
  if (options.output.empty() && (options.emit == Emit::Library || options.emit == Emit::Object))
    return usage("-o is required for --emit=" + std::string(emitName(options.emit)));

  auto model = onnx_frontend::readModel(options.model);
  if (!model)
    return reportError(model.takeError());
  driver::ShapeOptions shapes = options.shapes;
  driver::RankPlan ranks;
  if (parallelRequested()) {
    if (!shapes.bounds.empty())
      return usage("--max-shape and a parallel plan do not go together yet: fix the shapes "
                   "with --shape");
    llvm::Expected<parallel::Devices> devices = requestedDevices();
    if (!devices)
      return reportError(devices.takeError());
    parallel::PlanOptions planOptions;
    planOptions.objective = objectiveOption;
    llvm::Expected<driver::RankPlan> planned =
        driver::planRanks(*model, options.model, shapes, *devices, planOptions);
    if (!planned)
      return reportError(planned.takeError());
    ranks = *planned;
    if (!quietOption)
      llvm::errs() << "dlc: plan " << ranks.shape << ": "
                   << (ranks.ranks > 1 ? "each of " + std::to_string(ranks.ranks) +
                                             " ranks runs " + std::to_string(ranks.rows) +
                                             " rows of the batch (NAME_run_ranks)"
                                       : std::string("one rank runs it all"))
                   << "\n";
  }
  auto plan = driver::planShapes(*model, options.model, shapes);
  if (!plan)
    return reportError(plan.takeError());
  std::string output = options.output.empty() ? "-" : options.output;
  if (options.emit == Emit::MLIR) {
    if (!plan->dims.empty())
      return usage("--emit=mlir shows one compilation; fix the dimensions with --shape");
    driver::Compilation compilation(context, request, std::move(*target));
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
  auto kind = options.emit == Emit::LLVMIR     ? targets::CodeKind::LLVMIR
              : options.emit == Emit::Assembly ? targets::CodeKind::Assembly
                                               : targets::CodeKind::Object;
  auto compiled = driver::compileModel(context, request, *model, *plan, kind);
  if (failed(compiled))
    return 1;
  compiled->signature.ranks = ranks.ranks;
  compiled->signature.parallelPlan = ranks.shape;
  if (options.stats)
    driver::printMemoryPlan(compiled->signature, llvm::errs());
  if (!options.tunableKernels.empty() &&
      failed(writeTunableKernels(context, options, **target, compiled->signature)))
    return 1;
  if (options.emit == Emit::Library) {
    progress.at("library", "writing lib" + compiled->signature.name + ".a");
    if (failed(driver::writeLibrary(context, options.model, *compiled, options.output)))
      return 1;
    // The plan the search found goes next to the library, for later compiles to reuse.
    if (options.searchedPlan) {
      llvm::SmallString<256> kept(options.output);
      llvm::sys::path::append(kept, compiled->signature.name + ".precision.json");
      if (std::error_code error = llvm::sys::fs::copy_file(options.precisionPlan, kept))
        return reportError(llvm::createStringError(error, "cannot write %s: %s", kept.c_str(),
                                                   error.message().c_str()));
      llvm::errs() << "dlc: precision plan -> " << kept << "\n";
    }
    return 0;
  }
  // A target with device code generates more than one object; only a library holds them all.
  if (compiled->files.size() != 1)
    return usage("--emit=" + std::string(emitName(options.emit)) + " writes one file; target '" +
                 options.target + "' generates " + std::to_string(compiled->files.size()) +
                 " (--emit=lib puts them in the library)");
  const std::string &code = compiled->files.front().bytes;
  return failed(driver::writeOutputFile(context, options.model, output, code)) ? 1 : 0;
}

int runCommand(mlir::MLIRContext &context, const Options &options) {
  if (options.outputDir.empty())
    return usageError(options.command, "dlc run needs --output-dir DIR");
  return failed(driver::runModel(context, options.model, options.inputs, options.shapes.fixed,
                                 options.outputDir, precisionOptions(options), options.tuning))
             ? 1
             : 0;
}

/// `dlc bench --peak`: one core's peak rates and the cache sizes, as text or one JSON object.
int peakCommand(bool json) {
  std::vector<cpu::InstructionPeak> peaks = cpu::measureCorePeaks();
  cpu::CacheSizes caches = cpu::hostCacheSizes();
  std::string name = llvm::sys::getHostCPUName().str();
  double fp32 = peaks.empty() || peaks.front().kind != "fp32" ? 0 : peaks.front().best;
  if (json) {
    llvm::json::OStream out(llvm::outs());
    out.object([&] {
      out.attribute("cpu", name);
      out.attributeObject("caches_bytes", [&] {
        out.attribute("l1d", caches.l1d);
        out.attribute("l2", caches.l2);
        out.attribute("l3", caches.l3);
      });
      out.attributeArray("peaks", [&] {
        for (const cpu::InstructionPeak &peak : peaks)
          out.object([&] {
            out.attribute("kind", peak.kind);
            out.attribute("instruction", peak.instruction);
            out.attribute("ops_per_s", peak.best);
            out.attribute("slowest_ops_per_s", peak.slowest);
          });
      });
    });
    llvm::outs() << "\n";
    return 0;
  }
  auto size = [](int64_t bytes) {
    if (bytes == 0)
      return std::string("unknown");
    return bytes % (1 << 20) == 0 ? std::to_string(bytes >> 20) + " MiB"
                                  : std::to_string(bytes >> 10) + " KiB";
  };
  llvm::outs() << "CPU " << name << " (LLVM's name); caches: L1d " << size(caches.l1d) << ", L2 "
               << size(caches.l2) << ", L3 " << size(caches.l3) << "\n";
  llvm::outs() << "one core's peak, best of 5 runs (the slowest in brackets):\n";
  for (const cpu::InstructionPeak &peak : peaks) {
    const char *unit = peak.kind == "int8" ? "GOP/s  " : "GFLOP/s";
    llvm::outs() << llvm::format("  %-4s  %-16s %8.1f %s (%.1f)", peak.kind.c_str(),
                                 peak.instruction.c_str(), peak.best * 1e-9, unit,
                                 peak.slowest * 1e-9);
    if (fp32 > 0 && peak.kind != "fp32")
      llvm::outs() << llvm::format("  %.2fx fp32", peak.best / fp32);
    llvm::outs() << "\n";
  }
  if (peaks.empty())
    llvm::outs() << "  none: this CPU has neither AVX-512 nor AVX2 with FMA\n";
  return 0;
}

int benchCommand(mlir::MLIRContext &context, const Options &options) {
  if (peakOption)
    return peakCommand(options.bench.json);
  driver::BenchOptions bench = options.bench;
  bench.version = DLC_VERSION;
  // Each kernel's rate is compared with its instruction's peak on this core.
  if (bench.profile)
    for (const cpu::InstructionPeak &peak : cpu::measureCorePeaks())
      bench.peaks[peak.kind == "int8" ? 2 : peak.kind == "bf16" ? 1 : 0] = peak.best;
  return failed(driver::benchModel(context, options.model, options.inputs, options.shapes.fixed,
                                   bench, llvm::outs(), precisionOptions(options),
                                   options.tuning))
             ? 1
             : 0;
}

/// `dlc inspect --devices FILE` or `--ranks N`: how the model splits across the ranks.
int planCommand(const onnx::ModelProto &model, const Options &options) {
  llvm::Expected<parallel::Devices> devices = requestedDevices();
  if (!devices)
    return reportError(devices.takeError());
  parallel::CostGraph graph = driver::costGraphOf(model, options.model);
  parallel::PlanOptions plan;
  plan.objective = objectiveOption;
  std::vector<parallel::Plan> plans = parallel::planParallel(graph, *devices, plan);
  parallel::printPlans(plans, graph, *devices, plan, llvm::outs());
  llvm::outs().flush(); // the report before the error that ends it
  if (std::string why = parallel::whyNoPlan(plans); !why.empty())
    return reportError(llvm::createStringError(llvm::inconvertibleErrorCode(),
                                               options.model + ": " + why));
  return 0;
}

int inspectCommand(mlir::MLIRContext &context, const Options &options) {
  if (auto target = targets::createTarget(options.target); !target)
    return usageError(options.command, llvm::toString(target.takeError()));
  auto model = onnx_frontend::readModel(options.model);
  if (!model)
    return reportError(model.takeError());
  if (llvm::Error error = onnx_frontend::bindInputs(*model, options.model,
                                                    {options.shapes.fixed, {}}))
    return reportError(std::move(error));
  if (llvm::Error error = onnx_frontend::inferShapes(*model, options.model))
    return reportError(std::move(error));
  if (parallelRequested())
    return planCommand(*model, options);
  if (driver::inspectModel(*model, options.model, llvm::outs()) > 0)
    return 0;
  // A supported model with static shapes is planned, to report its workspace.
  if (auto plan = driver::planShapes(*model, options.model, {}); !plan) {
    llvm::outs() << "workspace: unavailable (" << llvm::toString(plan.takeError()) << ")\n";
    return 0;
  }
  driver::CompileRequest request;
  request.modelPath = options.model;
  request.target = options.target;
  request.precision = precisionOptions(options);
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

/// `dlc compare ARGS...`, `dlc calibrate ARGS...` and the search of --precision=auto: run
/// `script` (onnxruntime and numpy are Python) with ARGS and this dlc.
int scriptCommand(const char *argv0, llvm::StringRef name, llvm::StringRef script,
                  llvm::ArrayRef<const char *> args) {
  auto python = llvm::sys::findProgramByName("python3");
  if (!python)
    return usageError(name.str(),
                      "dlc " + name.str() + " needs python3 (with onnx, numpy and onnxruntime)");
  std::string self = llvm::sys::fs::getMainExecutable(argv0, (void *)&scriptCommand);
  // An installed dlc's tools lie beside its bin folder; a built one's in the source tree.
  llvm::SmallString<256> installed(llvm::sys::path::parent_path(self));
  llvm::sys::path::append(installed, DLC_INSTALLED_TOOLS, llvm::sys::path::filename(script));
  if (llvm::sys::fs::exists(installed))
    script = installed;
  llvm::SmallVector<llvm::StringRef> command = {*python, script};
  command.append(args.begin(), args.end());
  command.append({"--dlc", self});
  std::string error;
  int status = llvm::sys::ExecuteAndWait(*python, command, std::nullopt, {}, 0, 0, &error);
  if (status < 0)
    return usageError(name.str(), "cannot run " + *python + ": " + error);
  return status;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  if (argc > 1 && llvm::StringRef(argv[1]) == "compare")
    return scriptCommand(argv[0], "compare", DLC_COMPARE_SCRIPT,
                         llvm::ArrayRef<const char *>(argv + 2, argv + argc));
  if (argc > 1 && llvm::StringRef(argv[1]) == "calibrate")
    return scriptCommand(argv[0], "calibrate", DLC_CALIBRATE_SCRIPT,
                         llvm::ArrayRef<const char *>(argv + 2, argv + argc));
  if (argc > 1 && llvm::StringRef(argv[1]) == "tune")
    return scriptCommand(argv[0], "tune", DLC_TUNE_SCRIPT,
                         llvm::ArrayRef<const char *>(argv + 2, argv + argc));
  targets::registerAllTargets();
  llvm::SmallVector<cl::SubCommand *> commands = completeCommandLine();
  // `dlc help [COMMAND]` is `dlc [COMMAND] --help`.
  std::vector<const char *> args(argv, argv + argc);
  if (args.size() > 1 && llvm::StringRef(args[1]) == "help") {
    args.erase(args.begin() + 1);
    args.insert(args.begin() + std::min<size_t>(args.size(), 2), "--help");
  }
  // Syntax errors (an unknown option, a malformed value) are llvm::cl's: it prints them and exits
  // with status 1.
  cl::ParseCommandLineOptions(static_cast<int>(args.size()), args.data(), kOverview,
                              /*Errs=*/nullptr, /*VFS=*/nullptr, /*EnvVar=*/nullptr,
                              /*LongOptionsUseDoubleDash=*/true);

  auto command = llvm::find_if(commands, [](cl::SubCommand *c) { return bool(*c); });
  if (command == commands.end())
    return usageError("", commandOption.empty() ? "no command given"
                                                : "unknown command '" + commandOption[0] + "'");
  if (std::optional<std::string> error = findLLVMOption(**command))
    return usageError((*command)->getName().str(), *error);
  if (*command == &targetsSubcommand())
    return targetsCommand();
  Options options;
  if (std::optional<std::string> error = readOptions(**command, options))
    return usageError(options.command, *error);

  // --precision=auto with a budget: the search writes a plan, which the command compiles to.
  std::string searched;
  llvm::scope_exit removeSearched([&] {
    if (!searched.empty())
      llvm::sys::fs::remove(searched);
  });
  if (options.precision == "auto" && options.precisionPlan.empty()) {
    llvm::SmallString<128> path;
    if (std::error_code error = llvm::sys::fs::createTemporaryFile("dlc-plan", "json", path))
      return usageError(options.command, "cannot create a temporary file: " + error.message());
    searched = path.str().str();
    std::vector<std::string> args = {options.model, "--budget", options.accuracyBudget,
                                     "--metric", options.accuracyMetric, "--cost",
                                     options.precisionCost, "--target", options.target, "-o",
                                     searched};
    if (!options.calibration.empty())
      args.insert(args.end(), {"--calibration", options.calibration});
    if (emulateAmxOption)
      args.push_back("--emulate-amx");
    if (!options.validation.empty())
      args.insert(args.end(), {"--validation", options.validation});
    for (const std::string &shape : shapeOption)
      args.insert(args.end(), {"--shape", shape});
    std::vector<const char *> scriptArgs;
    for (const std::string &arg : args)
      scriptArgs.push_back(arg.c_str());
    if (int status =
            scriptCommand(argv[0], options.command, DLC_PRECISION_SEARCH_SCRIPT, scriptArgs))
      return status;
    options.precisionPlan = searched;
    options.searchedPlan = true;
  }

  mlir::DialectRegistry registry;
  driver::registerDialects(registry);
  mlir::MLIRContext context(registry);
  context.disableMultithreading();
  mlir::ScopedDiagnosticHandler handler(&context, [](mlir::Diagnostic &diag) {
    printDiagnostic(diag);
    return mlir::success();
  });
  if (*command == &compileSubcommand)
    return compileCommand(context, options);
  if (*command == &runSubcommand)
    return runCommand(context, options);
  if (*command == &benchSubcommand)
    return benchCommand(context, options);
  return inspectCommand(context, options);
}
