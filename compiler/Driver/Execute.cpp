// In-process execution for `dlc run` and `dlc bench`: bind inputs, compile for the host, load the
// object with the JIT, and call NAME_run with a caller-owned workspace, as an application does.
#include "compiler/Driver/Execute.h"

#include <cstring>

#include "compiler/Driver/Compilation.h"
#include "compiler/Driver/Profile.h"
#include "compiler/Driver/TensorFiles.h"
#include "frontends/onnx/Importer.h"
#include "frontends/onnx/ModelLoader.h"
#include "frontends/onnx/Tensors.h"
#include "targets/Common/JitRunner.h"

#include "dlc/profile.h"
#include "dlc/runtime.h"
#include "dlc/threads.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <chrono>
#include <new>
#include <random>

namespace dlc::driver {

using namespace mlir;

namespace {

/// Kernels `dlc bench --profile` lists before summing up the rest.
constexpr size_t kProfileRows = 40;

/// A model compiled for this machine and loaded, with its input buffers filled.
struct PreparedModel {
  targets::ModelSignature signature;
  std::unique_ptr<targets::LoadedModel> loaded;
  std::vector<std::vector<char>> inputs;
};

/// Deterministic input bytes for `tensor`: uniform in [-1, 1) for floats, zero otherwise.
std::vector<char> syntheticInput(const targets::TensorSignature &tensor) {
  std::vector<char> bytes(std::max<int64_t>(1, tensor.numBytes()), 0);
  if (!tensor.elementType.isF32())
    return bytes;
  std::mt19937 generator(42);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  auto *values = reinterpret_cast<float *>(bytes.data());
  for (int64_t i = 0; i < tensor.numElements(); ++i)
    values[i] = uniform(generator);
  return bytes;
}

FailureOr<PreparedModel> prepare(MLIRContext &context, const std::string &modelPath,
                                 const InputFiles &inputFiles, const InputShapes &shapes,
                                 bool allowSynthetic, const PrecisionOptions &precision,
                                 const std::string &tuningPath, bool profile = false) {
  auto fail = [&](const Twine &message) { return emitModelError(context, modelPath, message); };
  auto model = onnx_frontend::readModel(modelPath);
  if (!model)
    return emitError(UnknownLoc::get(&context)) << llvm::toString(model.takeError());

  std::vector<std::string> graphInputs;
  for (const onnx::ValueInfoProto *input : onnx_frontend::runtimeInputs(*model))
    graphInputs.push_back(input->name());

  std::map<std::string, onnx::TensorProto> tensors;
  size_t positional = 0;
  for (const auto &[name, path] : inputFiles) {
    std::string inputName = name;
    if (inputName.empty()) {
      if (positional >= graphInputs.size())
        return fail("too many input files: the model has " + llvm::Twine(graphInputs.size()) +
                    " inputs");
      inputName = graphInputs[positional++];
    } else if (std::find(graphInputs.begin(), graphInputs.end(), inputName) == graphInputs.end()) {
      return fail("the model has no input named \"" + inputName + "\"");
    }
    auto tensor = readTensorFile(path);
    if (!tensor)
      return emitError(UnknownLoc::get(&context)) << llvm::toString(tensor.takeError());
    // numpy has no bfloat16: a bfloat16 input comes as its bit patterns in uint16, as dlc
    // writes bfloat16 outputs.
    for (const onnx::ValueInfoProto *input : onnx_frontend::runtimeInputs(*model))
      if (input->name() == inputName &&
          input->type().tensor_type().elem_type() == onnx::TensorProto::BFLOAT16 &&
          tensor->data_type() == onnx::TensorProto::UINT16)
        tensor->set_data_type(onnx::TensorProto::BFLOAT16);
    tensors[inputName] = *tensor;
  }
  std::vector<std::string> needed = onnx_frontend::inputsNeedingValues(*model);
  for (const std::string &input : graphInputs)
    if (!tensors.count(input) &&
        (!allowSynthetic || std::find(needed.begin(), needed.end(), input) != needed.end()))
      return fail("no file given for input \"" + input + "\"");

  // The files fix their inputs' shapes; inputs that feed compile-time operands become constants.
  ShapeOptions fixed;
  fixed.fixed = shapes;
  for (const auto &[name, tensor] : tensors)
    if (fixed.fixed.emplace(name, std::vector(tensor.dims().begin(), tensor.dims().end())).second)
      fixed.sources[name] = "its input file";
  auto plan = planShapes(*model, modelPath, fixed);
  if (!plan)
    return emitError(UnknownLoc::get(&context)) << llvm::toString(plan.takeError());
  onnx_frontend::InputBindings bindings{plan->specializations.front().inputShapes, {}};
  for (const std::string &input : needed)
    bindings.values[input] = tensors.at(input);
  CompileRequest request;
  request.modelPath = modelPath;
  request.precision = precision;
  request.tuningPath = tuningPath;
  request.profile = profile;
  Compilation compilation(context, request);
  if (failed(specializeModel(context, *model, modelPath, bindings)) ||
      failed(compilation.import(*model)) || failed(compilation.lowerTo(pipelines::Phase::LLVM)))
    return failure();
  FailureOr<std::vector<targets::ObjectFile>> objects =
      compilation.emit(targets::CodeKind::Object);
  if (failed(objects))
    return failure();

  PreparedModel prepared;
  prepared.signature = compilation.signature();
  // Input buffers in the compiled signature's order, checked against its types and shapes.
  for (const targets::TensorSignature &input : prepared.signature.inputs) {
    auto given = tensors.find(input.name);
    if (given == tensors.end()) {
      prepared.inputs.push_back(syntheticInput(input));
      continue;
    }
    auto attr = onnx_frontend::tensorToAttr(given->second, &context);
    if (!attr)
      return compilation.fail("input \"" + input.name + "\": " + llvm::toString(attr.takeError()));
    auto expected = RankedTensorType::get(input.shape, input.elementType);
    if (attr->getType() != expected) {
      std::string actual, wanted;
      llvm::raw_string_ostream(actual) << attr->getType();
      llvm::raw_string_ostream(wanted) << expected;
      return compilation.fail("input \"" + input.name + "\" is " + actual +
                              ", the model expects " + wanted);
    }
    prepared.inputs.push_back(onnx_frontend::attrToBytes(*attr));
    // An empty tensor still gets a valid, non-null buffer.
    if (prepared.inputs.back().empty())
      prepared.inputs.back().resize(1);
  }
  auto loaded = targets::LoadedModel::load(*objects, prepared.signature.name);
  if (!loaded)
    return compilation.fail("cannot load the compiled model: " +
                            llvm::toString(loaded.takeError()));
  prepared.loaded = std::move(*loaded);
  return prepared;
}

/// An allocator of cache-line-aligned storage: the alignment an application gives its buffers
/// (malloc's 16 bytes would let every 64-byte vector load of an input or store of an output
/// straddle two lines, which made a product reading its input 1.3x slower on an Intel Xeon).
template <typename T>
struct CacheLineAllocator {
  using value_type = T;
  static constexpr std::align_val_t kAlignment{64};
  CacheLineAllocator() = default;
  template <typename U>
  CacheLineAllocator(const CacheLineAllocator<U> &) {}
  T *allocate(size_t n) { return static_cast<T *>(::operator new(n * sizeof(T), kAlignment)); }
  void deallocate(T *p, size_t) { ::operator delete(p, kAlignment); }
  friend bool operator==(const CacheLineAllocator &, const CacheLineAllocator &) { return true; }
};
using AlignedBytes = std::vector<char, CacheLineAllocator<char>>;

/// Cache-line-aligned copies of the inputs, output buffers sized for `signature` and the
/// workspace, and the pointer arrays NAME_run takes.
struct Buffers {
  std::vector<AlignedBytes> inputs;
  std::vector<AlignedBytes> outputs;
  std::vector<const void *> inputPointers;
  std::vector<void *> outputPointers;
  AlignedBytes workspace;

  explicit Buffers(PreparedModel &model) {
    for (const auto &bytes : model.inputs)
      inputs.emplace_back(bytes.begin(), bytes.end());
    for (const auto &bytes : inputs)
      inputPointers.push_back(bytes.data());
    for (const targets::TensorSignature &output : model.signature.outputs)
      outputs.emplace_back(std::max<int64_t>(1, output.numBytes()));
    for (auto &bytes : outputs)
      outputPointers.push_back(bytes.data());
    workspace.resize(std::max<int64_t>(1, model.signature.workspaceSize));
  }
  int run(const PreparedModel &model) {
    return model.loaded->run(inputPointers, outputPointers, workspace.data());
  }
};

/// The first `size` entries along `output`'s data-dependent axis, out of `bytes` laid out with
/// the largest size there.
std::vector<char> compacted(const targets::TensorSignature &output, int64_t size,
                            const std::vector<char> &bytes) {
  int64_t axis = output.dataDependentAxis, outer = 1, inner = output.numBytes();
  for (int64_t d = 0; d < axis; ++d)
    outer *= output.shape[d];
  inner /= std::max<int64_t>(1, outer * output.shape[axis]);
  std::vector<char> result;
  for (int64_t i = 0; i < outer; ++i) {
    const char *row = bytes.data() + i * output.shape[axis] * inner;
    result.insert(result.end(), row, row + size * inner);
  }
  return result;
}

} // namespace

LogicalResult runModel(MLIRContext &context, const std::string &modelPath,
                       const InputFiles &inputFiles, const InputShapes &shapes,
                       const std::string &outputDir, const PrecisionOptions &precision,
                       const std::string &tuningPath) {
  FailureOr<PreparedModel> model =
      prepare(context, modelPath, inputFiles, shapes, false, precision, tuningPath);
  if (failed(model))
    return failure();
  auto fail = [&](const Twine &message) { return emitModelError(context, modelPath, message); };
  Buffers buffers(*model);
  if (int status = buffers.run(*model))
    return fail("the compiled model returned status " + llvm::Twine(status));

  if (std::error_code error = llvm::sys::fs::create_directories(outputDir))
    return fail("cannot create " + outputDir + ": " + error.message());
  for (auto [k, output] : llvm::enumerate(model->signature.outputs)) {
    llvm::SmallString<256> path(outputDir);
    llvm::sys::path::append(path, "output_" + std::to_string(k) + ".npy");
    std::vector<char> bytes(buffers.outputs[k].begin(),
                            buffers.outputs[k].begin() + output.numBytes());
    targets::TensorSignature written = output;
    if (output.dataDependentAxis >= 0) {
      auto shape = model->loaded->resultShape(buffers.workspace.data(), int(k),
                                              output.shape.size());
      if (!shape)
        return fail(llvm::toString(shape.takeError()));
      bytes = compacted(output, (*shape)[output.dataDependentAxis], bytes);
      written.shape = *shape;
    }
    if (llvm::Error error = writeNpy(std::string(path), written, bytes))
      return fail(llvm::toString(std::move(error)));
  }
  return success();
}

/// The machine a benchmark ran on: the CPU's model name (Linux's /proc/cpuinfo), LLVM's name
/// for it, and the CPU features the runtime detects.
static llvm::json::Object machineDescription() {
  std::string model;
  if (auto cpuinfo = llvm::MemoryBuffer::getFileAsStream("/proc/cpuinfo")) {
    llvm::SmallVector<llvm::StringRef> lines;
    (*cpuinfo)->getBuffer().split(lines, '\n');
    for (llvm::StringRef line : lines)
      if (line.starts_with("model name")) {
        model = line.split(':').second.trim().str();
        break;
      }
  }
  static const std::pair<uint64_t, const char *> kFeatures[] = {
      {DLC_CPU_AVX2, "avx2"},           {DLC_CPU_FMA, "fma"},
      {DLC_CPU_AVX512F, "avx512f"},     {DLC_CPU_AVX512VNNI, "avx512vnni"},
      {DLC_CPU_AVX512BF16, "avx512bf16"}, {DLC_CPU_AMX_TILE, "amx-tile"},
      {DLC_CPU_AMX_BF16, "amx-bf16"},   {DLC_CPU_AMX_INT8, "amx-int8"}};
  llvm::json::Array features;
  for (auto [bit, name] : kFeatures)
    if (dlc_rt_cpu_features() & bit)
      features.push_back(name);
  return llvm::json::Object{{"cpu", model.empty() ? "unknown" : model},
                            {"llvm_cpu", llvm::sys::getHostCPUName().str()},
                            {"features", std::move(features)}};
}

LogicalResult benchModel(MLIRContext &context, const std::string &modelPath,
                         const InputFiles &inputFiles, const InputShapes &shapes,
                         const BenchOptions &options, llvm::raw_ostream &out,
                         const PrecisionOptions &precision, const std::string &tuningPath) {
  FailureOr<PreparedModel> model = prepare(context, modelPath, inputFiles, shapes, true, precision,
                                           tuningPath, options.profile);
  if (failed(model))
    return failure();
  auto fail = [&](const Twine &message) { return emitModelError(context, modelPath, message); };
  Buffers buffers(*model);
  dlc_rt_set_num_threads(options.threads);
  using Clock = std::chrono::steady_clock;
  for (int i = 0; i < options.warmup; ++i)
    if (int status = buffers.run(*model))
      return fail("the compiled model returned status " + llvm::Twine(status));
  std::vector<double> milliseconds;
  std::vector<std::pair<int64_t, int64_t>> runs; // with profile: on the profile's clock
  if (options.profile)
    dlc_rt_profile_reset();
  for (int i = 0; i < options.iterations; ++i) {
    auto start = Clock::now();
    int64_t startNs = options.profile ? dlc_rt_profile_clock() : 0;
    buffers.run(*model);
    milliseconds.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    if (options.profile)
      runs.emplace_back(startNs, dlc_rt_profile_clock());
  }
  double mean = 0;
  for (double ms : milliseconds)
    mean += ms / double(milliseconds.size());
  std::sort(milliseconds.begin(), milliseconds.end());
  auto percentile = [&](double p) {
    return milliseconds[std::min<size_t>(milliseconds.size() - 1,
                                         size_t(p * (milliseconds.size() - 1) + 0.5))];
  };
  double median = percentile(0.5), p90 = percentile(0.9);
  std::vector<KernelFigures> kernels;
  if (options.profile) {
    if (size_t dropped = dlc_rt_profile_dropped())
      return fail("the profile kept " + llvm::Twine(DLC_RT_PROFILE_CAPACITY) + " kernel runs and "
                  "dropped " + llvm::Twine(dropped) + ": use fewer --iterations");
    kernels = summarizeProfile(options.iterations);
    if (!options.traceFile.empty())
      if (llvm::Error error = writeTrace(options.traceFile, modelPath, runs))
        return fail(llvm::toString(std::move(error)));
  }
  if (options.json) {
    // The schema docs/bench-json.md describes: a new field is a new key; a change of a key's
    // meaning is a new version.
    llvm::json::Object document{
        {"schema", "dlc-bench"},
        {"version", 1},
        {"model", modelPath},
        {"target", "host"},
        {"precision", precision.format},
        {"threads", dlc_rt_get_num_threads()},
        {"iterations", options.iterations},
        {"median_ms", median},
        {"min_ms", milliseconds.front()},
        {"p90_ms", p90},
        {"mean_ms", mean},
        {"spread_ms", p90 - milliseconds.front()},
        {"throughput_per_s", 1000.0 / median},
        {"machine", machineDescription()},
        {"dlc_version", options.version}};
    std::string text;
    llvm::raw_string_ostream stream(text);
    stream << llvm::json::Value(std::move(document));
    if (options.profile) { // the kernels' table, as the profile writes it
      text.pop_back();
      stream << ", \"kernels\": ";
      printProfileJson(kernels, stream);
      stream << "}";
    }
    out << text << "\n";
  } else {
    out << llvm::format("%s: %d threads, %d iterations after %d warm-up\n", modelPath.c_str(),
                        dlc_rt_get_num_threads(), options.iterations, options.warmup);
    out << llvm::format("  median %.3f ms, p90 %.3f ms, min %.3f ms, %.2f runs/s\n", median, p90,
                        milliseconds.front(), 1000.0 / median);
    if (options.profile)
      printProfile(kernels, options.iterations, mean, options.peaks, dlc_rt_get_num_threads(),
                   kProfileRows, out);
  }
  return success();
}

} // namespace dlc::driver
