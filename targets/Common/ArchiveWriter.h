// Builds libNAME.a in memory with LLVM's archive writer: the generated objects plus the members
// of the dlc runtime archive embedded in the compiler that the target asks for.
#ifndef DLC_TARGETS_COMMON_ARCHIVEWRITER_H
#define DLC_TARGETS_COMMON_ARCHIVEWRITER_H

#include "targets/Common/Artifact.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <memory>
#include <string>
#include <vector>

namespace dlc::targets {

/// The runtime's object files named by `components` (source stems: "thread_pool"), as embedded in
/// the compiler at build time; a component the runtime lacks is an error.
llvm::Expected<std::vector<ObjectFile>>
runtimeObjects(const std::vector<std::string> &components);

/// A GNU archive with a symbol table holding `objects` followed by the runtime's `components`.
llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
buildArchive(const std::vector<ObjectFile> &objects, const std::vector<std::string> &components);

} // namespace dlc::targets

#endif
