// Library + header writing: both files or none, through temporaries renamed at the end.
// The objects come from compileModel, through the same pipeline `dlc run` executes.
#include "compiler/Driver/Artifacts.h"

#include "targets/Common/ArchiveWriter.h"
#include "targets/Common/HeaderWriter.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

namespace dlc::driver {

using namespace mlir;

namespace {

/// A file written to a temporary name next to its destination, renamed on commit().
struct PendingFile {
  std::string path, temporary;
};

/// Where failures are reported: the model file.
struct Reporter {
  MLIRContext &context;
  const std::string &modelPath;
  LogicalResult fail(const Twine &message) const {
    return emitModelError(context, modelPath, message);
  }
};

LogicalResult writeTemporary(const Reporter &reporter, const std::string &path,
                             llvm::StringRef contents, PendingFile &pending) {
  llvm::SmallString<256> model(llvm::sys::path::parent_path(path));
  llvm::sys::path::append(model, "." + llvm::sys::path::filename(path) + ".%%%%%%.tmp");
  int fd;
  llvm::SmallString<256> temporary;
  if (std::error_code error = llvm::sys::fs::createUniqueFile(model, fd, temporary))
    return reporter.fail("cannot write " + path + ": " + error.message());
  {
    llvm::raw_fd_ostream out(fd, /*shouldClose=*/true);
    out << contents;
    out.close();
    if (out.has_error()) {
      out.clear_error();
      llvm::sys::fs::remove(temporary);
      return reporter.fail("cannot write " + path);
    }
  }
  pending = {path, std::string(temporary)};
  return success();
}

LogicalResult commit(const Reporter &reporter, std::vector<PendingFile> &files) {
  for (const PendingFile &file : files)
    if (std::error_code error = llvm::sys::fs::rename(file.temporary, file.path)) {
      for (const PendingFile &other : files)
        llvm::sys::fs::remove(other.temporary);
      return reporter.fail("cannot write " + file.path + ": " + error.message());
    }
  return success();
}

} // namespace

LogicalResult writeOutputFile(MLIRContext &context, const std::string &modelPath,
                              const std::string &path, const std::string &contents) {
  Reporter reporter{context, modelPath};
  if (path == "-") {
    llvm::outs() << contents;
    return success();
  }
  std::vector<PendingFile> files(1);
  if (failed(writeTemporary(reporter, path, contents, files[0])))
    return failure();
  return commit(reporter, files);
}

LogicalResult writeLibrary(MLIRContext &context, const std::string &modelPath,
                           const CompiledModel &model, const std::string &outputDir) {
  Reporter reporter{context, modelPath};
  const std::string &name = model.signature.name;
  auto archive = targets::buildArchive(model.files, model.runtimeComponents);
  if (!archive)
    return reporter.fail(llvm::toString(archive.takeError()));
  std::string header = targets::writeHeader(model.signature, model.headerExtras);

  if (std::error_code error = llvm::sys::fs::create_directories(outputDir))
    return reporter.fail("cannot create " + outputDir + ": " + error.message());
  llvm::SmallString<256> libraryPath(outputDir), headerPath(outputDir);
  llvm::sys::path::append(libraryPath, "lib" + name + ".a");
  llvm::sys::path::append(headerPath, name + ".h");
  std::vector<PendingFile> files(2);
  if (failed(writeTemporary(reporter, std::string(libraryPath), (*archive)->getBuffer(),
                            files[0])))
    return failure();
  if (failed(writeTemporary(reporter, std::string(headerPath), header, files[1]))) {
    llvm::sys::fs::remove(files[0].temporary);
    return failure();
  }
  return commit(reporter, files);
}

} // namespace dlc::driver
