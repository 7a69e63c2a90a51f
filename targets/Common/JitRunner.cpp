// In-process execution of generated objects with ORC's LLJIT, for `dlc run`: the same object
// file that goes into libNAME.a, linked against the same runtime objects.
#include "targets/Common/JitRunner.h"

#include "targets/Common/ArchiveWriter.h"

#include "llvm/ExecutionEngine/Orc/ExecutionUtils.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/Support/TargetSelect.h"

namespace dlc::targets {

llvm::Expected<int> runObject(const std::string &object, const std::string &name,
                              const std::vector<const void *> &inputs,
                              const std::vector<void *> &outputs, int64_t workspaceSize) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  auto jit = llvm::orc::LLJITBuilder().create();
  if (!jit)
    return jit.takeError();
  auto &library = (*jit)->getMainJITDylib();
  auto processSymbols = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
      (*jit)->getDataLayout().getGlobalPrefix());
  if (!processSymbols)
    return processSymbols.takeError();
  library.addGenerator(std::move(*processSymbols));

  auto runtime = runtimeObjects();
  if (!runtime)
    return runtime.takeError();
  runtime->push_back({name + ".o", object});
  for (const ObjectFile &file : *runtime)
    if (llvm::Error error = (*jit)->addObjectFile(
            llvm::MemoryBuffer::getMemBufferCopy(file.bytes, file.name)))
      return std::move(error);

  auto symbol = (*jit)->lookup(name + "_run");
  if (!symbol)
    return symbol.takeError();
  using RunFn = int (*)(const void *const *, void *const *, void *);
  auto run = symbol->toPtr<RunFn>();
  std::vector<char> workspace(std::max<int64_t>(1, workspaceSize));
  return run(inputs.data(), outputs.data(), workspace.data());
}

} // namespace dlc::targets
