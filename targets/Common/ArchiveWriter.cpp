// The static library writer: generated objects plus the embedded runtime's members, in one
// deterministic GNU archive produced by llvm::writeArchiveToBuffer.
#include "targets/Common/ArchiveWriter.h"

#include "llvm/Object/Archive.h"
#include "llvm/Object/ArchiveWriter.h"

extern "C" const char dlc_embedded_runtime_begin[];
extern "C" const char dlc_embedded_runtime_end[];

namespace dlc::targets {

llvm::Expected<std::vector<ObjectFile>>
runtimeObjects(const std::vector<std::string> &components) {
  llvm::StringRef bytes(dlc_embedded_runtime_begin,
                        dlc_embedded_runtime_end - dlc_embedded_runtime_begin);
  auto archive = llvm::object::Archive::create(llvm::MemoryBufferRef(bytes, "dlc_runtime.a"));
  if (!archive)
    return archive.takeError();
  std::vector<ObjectFile> objects;
  llvm::Error error = llvm::Error::success();
  for (const llvm::object::Archive::Child &child : (*archive)->children(error)) {
    auto name = child.getName();
    auto buffer = child.getBuffer();
    if (!name || !buffer) {
      llvm::consumeError(name.takeError());
      llvm::consumeError(buffer.takeError());
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "the embedded runtime archive is corrupt");
    }
    // Members are named after their sources: thread_pool.c.o.
    std::string stem = name->split('.').first.str();
    if (llvm::is_contained(components, stem))
      objects.push_back({("dlc_rt_" + *name).str(), buffer->str()});
  }
  if (error)
    return std::move(error);
  if (objects.size() != components.size())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "internal error: the embedded runtime lacks a component the "
                                   "target links");
  return objects;
}

llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
buildArchive(const std::vector<ObjectFile> &objects, const std::vector<std::string> &components) {
  auto runtime = runtimeObjects(components);
  if (!runtime)
    return runtime.takeError();
  std::vector<llvm::NewArchiveMember> members;
  auto add = [&](const ObjectFile &object) {
    llvm::NewArchiveMember member(llvm::MemoryBufferRef(object.bytes, object.name));
    member.MemberName = object.name;
    members.push_back(std::move(member));
  };
  for (const ObjectFile &object : objects)
    add(object);
  for (const ObjectFile &object : *runtime)
    add(object);
  return llvm::writeArchiveToBuffer(members, llvm::SymtabWritingMode::NormalSymtab,
                                    llvm::object::Archive::K_GNU, /*Deterministic=*/true,
                                    /*Thin=*/false);
}

} // namespace dlc::targets
