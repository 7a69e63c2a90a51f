// In-process execution of generated objects with ORC's LLJIT, for `dlc run` and `dlc bench`: the
// same object files that go into libNAME.a, linked against the runtime built into dlc itself.
#include "targets/Common/JitRunner.h"

#include "llvm/ExecutionEngine/Orc/ExecutionUtils.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/Support/TargetSelect.h"

namespace dlc::targets {

LoadedModel::LoadedModel(std::unique_ptr<llvm::orc::LLJIT> jit, RunFn run, std::string name)
    : jit_(std::move(jit)), run_(run), name_(std::move(name)) {}

LoadedModel::~LoadedModel() = default;

llvm::Expected<std::unique_ptr<LoadedModel>>
LoadedModel::load(const std::vector<ObjectFile> &objects, const std::string &name) {
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

  // The runtime (dlc_rt_*) is the compiler's own copy, linked into this process: its worker
  // threads outlive any one loaded model, so their code must not be unloaded with the model.
  for (const ObjectFile &object : objects)
    if (llvm::Error error = (*jit)->addObjectFile(
            llvm::MemoryBuffer::getMemBufferCopy(object.bytes, object.name)))
      return std::move(error);

  auto symbol = (*jit)->lookup(name + "_run");
  if (!symbol)
    return symbol.takeError();
  auto run = symbol->toPtr<RunFn>();
  return std::unique_ptr<LoadedModel>(new LoadedModel(std::move(*jit), run, name));
}

llvm::Expected<std::vector<int64_t>> LoadedModel::resultShape(const void *workspace, int output,
                                                             size_t rank) const {
  auto symbol = jit_->lookup(name_ + "_result_shape");
  if (!symbol)
    return symbol.takeError();
  using ResultShapeFn = int (*)(const void *, int, int64_t *);
  std::vector<int64_t> shape(std::max<size_t>(rank, 1));
  if (int status = symbol->toPtr<ResultShapeFn>()(workspace, output, shape.data()))
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   name_ + "_result_shape returned status " +
                                       std::to_string(status));
  shape.resize(rank);
  return shape;
}

int LoadedModel::run(const std::vector<const void *> &inputs, const std::vector<void *> &outputs,
                     void *workspace) const {
  return run_(inputs.data(), outputs.data(), workspace);
}

} // namespace dlc::targets
