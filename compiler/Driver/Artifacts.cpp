// Library + header writing (all or nothing) and in-process runs of compiled models.
// The object in libNAME.a and the one `dlc run` executes come from the same Compilation::emit.
#include "compiler/Driver/Artifacts.h"

#include "compiler/Driver/TensorFiles.h"
#include "frontends/onnx/Importer.h"
#include "frontends/onnx/ModelLoader.h"
#include "frontends/onnx/Tensors.h"
#include "targets/Common/ArchiveWriter.h"
#include "targets/Common/HeaderWriter.h"
#include "targets/Common/JitRunner.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <set>

namespace dlc::driver {

using namespace mlir;

namespace {

/// A file written to a temporary name next to its destination, renamed on commit().
struct PendingFile {
  std::string path, temporary;
};

LogicalResult writeTemporary(Compilation &compilation, const std::string &path,
                             llvm::StringRef contents, PendingFile &pending) {
  llvm::SmallString<256> model(llvm::sys::path::parent_path(path));
  llvm::sys::path::append(model, "." + llvm::sys::path::filename(path) + ".%%%%%%.tmp");
  int fd;
  llvm::SmallString<256> temporary;
  if (std::error_code error = llvm::sys::fs::createUniqueFile(model, fd, temporary))
    return compilation.fail("cannot write " + path + ": " + error.message());
  {
    llvm::raw_fd_ostream out(fd, /*shouldClose=*/true);
    out << contents;
    out.close();
    if (out.has_error()) {
      out.clear_error();
      llvm::sys::fs::remove(temporary);
      return compilation.fail("cannot write " + path);
    }
  }
  pending = {path, std::string(temporary)};
  return success();
}

LogicalResult commit(Compilation &compilation, std::vector<PendingFile> &files) {
  for (const PendingFile &file : files)
    if (std::error_code error = llvm::sys::fs::rename(file.temporary, file.path)) {
      for (const PendingFile &other : files)
        llvm::sys::fs::remove(other.temporary);
      return compilation.fail("cannot write " + file.path + ": " + error.message());
    }
  return success();
}

} // namespace

LogicalResult writeOutputFile(Compilation &compilation, const std::string &path,
                              const std::string &contents) {
  if (path == "-") {
    llvm::outs() << contents;
    return success();
  }
  std::vector<PendingFile> files(1);
  if (failed(writeTemporary(compilation, path, contents, files[0])))
    return failure();
  return commit(compilation, files);
}

LogicalResult writeLibrary(Compilation &compilation, const std::string &outputDir) {
  FailureOr<std::string> object = compilation.emit(Compilation::Output::Object);
  if (failed(object))
    return failure();
  const std::string &name = compilation.signature().name;
  auto archive = targets::buildArchive({{name + ".o", *object}});
  if (!archive)
    return compilation.fail(llvm::toString(archive.takeError()));
  std::string header = targets::writeHeader(compilation.signature());

  if (std::error_code error = llvm::sys::fs::create_directories(outputDir))
    return compilation.fail("cannot create " + outputDir + ": " + error.message());
  llvm::SmallString<256> libraryPath(outputDir), headerPath(outputDir);
  llvm::sys::path::append(libraryPath, "lib" + name + ".a");
  llvm::sys::path::append(headerPath, name + ".h");
  std::vector<PendingFile> files(2);
  if (failed(writeTemporary(compilation, std::string(libraryPath), (*archive)->getBuffer(),
                            files[0])))
    return failure();
  if (failed(writeTemporary(compilation, std::string(headerPath), header, files[1]))) {
    llvm::sys::fs::remove(files[0].temporary);
    return failure();
  }
  return commit(compilation, files);
}

LogicalResult runModel(MLIRContext &context, const std::string &modelPath,
                       const std::vector<std::pair<std::string, std::string>> &inputFiles,
                       const std::string &outputDir) {
  CompileRequest request;
  request.modelPath = modelPath;
  Compilation compilation(context, request);
  auto model = onnx_frontend::loadModel(modelPath);
  if (!model)
    return emitError(UnknownLoc::get(&context)) << llvm::toString(model.takeError());

  // Graph inputs in order, without those that are initializers.
  std::set<std::string> initializers;
  for (const auto &tensor : model->graph().initializer())
    initializers.insert(tensor.name());
  std::vector<std::string> graphInputs;
  for (const auto &input : model->graph().input())
    if (!initializers.count(input.name()))
      graphInputs.push_back(input.name());

  std::map<std::string, onnx::TensorProto> tensors;
  size_t positional = 0;
  for (const auto &[name, path] : inputFiles) {
    std::string inputName = name;
    if (inputName.empty()) {
      if (positional >= graphInputs.size())
        return compilation.fail("too many input files: the model has " +
                                llvm::Twine(graphInputs.size()) + " inputs");
      inputName = graphInputs[positional++];
    } else if (std::find(graphInputs.begin(), graphInputs.end(), inputName) == graphInputs.end()) {
      return compilation.fail("the model has no input named \"" + inputName + "\"");
    }
    auto tensor = readTensorFile(path);
    if (!tensor)
      return emitError(UnknownLoc::get(&context)) << llvm::toString(tensor.takeError());
    tensors[inputName] = *tensor;
  }
  for (const std::string &input : graphInputs)
    if (!tensors.count(input))
      return compilation.fail("no file given for input \"" + input + "\"");

  CompileRequest bound = compilation.request();
  for (const std::string &input : onnx_frontend::inputsNeedingValues(*model))
    bound.boundInputs[input] = tensors.at(input);
  Compilation run(context, bound);
  if (failed(run.import(*model)) || failed(run.lowerTo(pipelines::Phase::LLVM)))
    return failure();
  FailureOr<std::string> object = run.emit(Compilation::Output::Object);
  if (failed(object))
    return failure();

  // Input buffers in the compiled signature's order, checked against its types and shapes.
  std::vector<std::vector<char>> inputBytes;
  for (const targets::TensorSignature &input : run.signature().inputs) {
    auto attr = onnx_frontend::tensorToAttr(tensors.at(input.name), &context);
    if (!attr)
      return run.fail("input \"" + input.name + "\": " + llvm::toString(attr.takeError()));
    auto expected = RankedTensorType::get(input.shape, input.elementType);
    if (attr->getType() != expected) {
      std::string given, wanted;
      llvm::raw_string_ostream(given) << attr->getType();
      llvm::raw_string_ostream(wanted) << expected;
      return run.fail("input \"" + input.name + "\" is " + given + ", the model expects " + wanted);
    }
    inputBytes.push_back(onnx_frontend::attrToBytes(*attr));
  }
  std::vector<const void *> inputs;
  for (const auto &bytes : inputBytes)
    inputs.push_back(bytes.data());
  std::vector<std::vector<char>> outputBytes;
  std::vector<void *> outputs;
  for (const targets::TensorSignature &output : run.signature().outputs)
    outputBytes.emplace_back(std::max<int64_t>(1, output.numBytes()));
  for (auto &bytes : outputBytes)
    outputs.push_back(bytes.data());

  auto status = targets::runObject(*object, run.signature().name, inputs, outputs,
                                   run.signature().workspaceSize);
  if (!status)
    return run.fail("cannot run the compiled model: " + llvm::toString(status.takeError()));
  if (*status != 0)
    return run.fail("the compiled model returned status " + llvm::Twine(*status));

  if (std::error_code error = llvm::sys::fs::create_directories(outputDir))
    return run.fail("cannot create " + outputDir + ": " + error.message());
  for (auto [k, output] : llvm::enumerate(run.signature().outputs)) {
    llvm::SmallString<256> path(outputDir);
    llvm::sys::path::append(path, "output_" + std::to_string(k) + ".npy");
    outputBytes[k].resize(output.numBytes());
    if (llvm::Error error = writeNpy(std::string(path), output, outputBytes[k]))
      return run.fail(llvm::toString(std::move(error)));
  }
  return success();
}

} // namespace dlc::driver
