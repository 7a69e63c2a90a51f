// Builds libNAME.a in memory with LLVM's archive writer: the generated object plus the members
// of the dlc runtime archive embedded in the compiler.
#ifndef DLC_TARGETS_COMMON_ARCHIVEWRITER_H
#define DLC_TARGETS_COMMON_ARCHIVEWRITER_H

#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace dlc::targets {

/// One object file: its member name and bytes.
struct ObjectFile {
  std::string name;
  std::string bytes;
};

/// The runtime's object files, as embedded in the compiler at build time.
llvm::Expected<std::vector<ObjectFile>> runtimeObjects();

/// A GNU archive with a symbol table holding `objects` followed by the runtime's objects.
llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
buildArchive(const std::vector<ObjectFile> &objects);

} // namespace dlc::targets

#endif
