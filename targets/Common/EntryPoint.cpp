// Generates the C entry point NAME_run in LLVM IR (argument and CPU checks, workspace alignment,
// the call into the graph function) and the dispatchers of its parallel loops.
#include "targets/Common/Codegen.h"

#include "dlc/runtime.h"

#include "llvm/IR/IRBuilder.h"

namespace dlc::targets {

namespace {

/// Defines each `<graph>_dispatch<N>` that dlc-cpu-parallelize-block-loops declared: it stores
/// its arguments (pointers, then any indices) in an array of 8-byte slots and runs
/// `<graph>_task<N>` over [0, count) with dlc_rt_parallel_for, through a trampoline that loads
/// them again.
llvm::Error defineDispatchers(llvm::Module &module, const std::string &graphName) {
  llvm::LLVMContext &ctx = module.getContext();
  llvm::Type *ptr = llvm::PointerType::getUnqual(ctx);
  llvm::Type *i64 = llvm::Type::getInt64Ty(ctx);
  llvm::Type *voidType = llvm::Type::getVoidTy(ctx);
  auto parallelFor = module.getOrInsertFunction(
      "dlc_rt_parallel_for", llvm::FunctionType::get(voidType, {i64, ptr, ptr}, false));
  std::string dispatchPrefix = graphName + "_dispatch";
  for (llvm::Function &dispatch : module) {
    if (!dispatch.isDeclaration() || !dispatch.getName().starts_with(dispatchPrefix))
      continue;
    std::string number = dispatch.getName().drop_front(dispatchPrefix.size()).str();
    llvm::Function *task = module.getFunction(graphName + "_task" + number);
    unsigned numArgs = dispatch.arg_size() - 1;
    auto fitsSlot = [](llvm::Type *type) {
      return type->isPointerTy() || type->isIntegerTy(64);
    };
    if (!task || task->arg_size() != numArgs + 2 ||
        !llvm::all_of(task->getFunctionType()->params(), fitsSlot))
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "parallel task " + number + " is missing or malformed");
    task->setLinkage(llvm::GlobalValue::InternalLinkage);
    dispatch.setLinkage(llvm::GlobalValue::InternalLinkage);
    auto *arrayType = llvm::ArrayType::get(i64, numArgs);

    // trampoline(context, begin, end): task(context[0], ..., context[k-1], begin, end)
    auto *trampoline = llvm::Function::Create(
        llvm::FunctionType::get(voidType, {ptr, i64, i64}, false),
        llvm::GlobalValue::InternalLinkage, graphName + "_trampoline" + number, module);
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", trampoline));
    llvm::SmallVector<llvm::Value *> args;
    for (unsigned i = 0; i < numArgs; ++i)
      args.push_back(b.CreateLoad(task->getArg(i)->getType(),
                                  b.CreateConstInBoundsGEP2_32(arrayType, trampoline->getArg(0),
                                                               0, i)));
    args.push_back(trampoline->getArg(1));
    args.push_back(trampoline->getArg(2));
    b.CreateCall(task, args);
    b.CreateRetVoid();

    // dispatch(arguments..., count): the arguments go into a stack array for the trampoline.
    b.SetInsertPoint(llvm::BasicBlock::Create(ctx, "entry", &dispatch));
    llvm::Value *context = b.CreateAlloca(arrayType);
    for (unsigned i = 0; i < numArgs; ++i)
      b.CreateStore(dispatch.getArg(i), b.CreateConstInBoundsGEP2_32(arrayType, context, 0, i));
    b.CreateCall(parallelFor, {dispatch.getArg(numArgs), trampoline, context});
    b.CreateRetVoid();
  }
  return llvm::Error::success();
}

} // namespace

llvm::Error addEntryPoint(llvm::Module &module, const ModelSignature &signature,
                          uint64_t requiredCpu) {
  llvm::Function *graph = module.getFunction(graphFunctionName(signature.name));
  size_t numInputs = signature.inputs.size(), numOutputs = signature.outputs.size();
  if (!graph || graph->arg_size() != numInputs + numOutputs + 1)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "the graph function is missing or has an unexpected signature");
  graph->setLinkage(llvm::GlobalValue::InternalLinkage);
  if (llvm::Error error = defineDispatchers(module, graphFunctionName(signature.name)))
    return error;

  llvm::LLVMContext &ctx = module.getContext();
  llvm::Type *ptr = llvm::PointerType::getUnqual(ctx);
  llvm::Type *i32 = llvm::Type::getInt32Ty(ctx);
  llvm::Type *i64 = llvm::Type::getInt64Ty(ctx);
  auto *type = llvm::FunctionType::get(i32, {ptr, ptr, ptr}, false);
  auto *run = llvm::Function::Create(type, llvm::GlobalValue::ExternalLinkage,
                                     signature.name + "_run", module);
  llvm::Value *inputs = run->getArg(0), *outputs = run->getArg(1), *workspace = run->getArg(2);
  inputs->setName("inputs");
  outputs->setName("outputs");
  workspace->setName("workspace");

  auto *entry = llvm::BasicBlock::Create(ctx, "entry", run);
  auto *nullArgument = llvm::BasicBlock::Create(ctx, "null_argument", run);
  llvm::IRBuilder<> b(nullArgument);
  b.CreateRet(b.getInt32(DLC_STATUS_NULL_ARGUMENT));

  // Any null pointer among the arrays, their entries and the workspace is rejected.
  b.SetInsertPoint(entry);
  auto checkNotNull = [&](llvm::Value *pointer, const char *name) {
    auto *next = llvm::BasicBlock::Create(ctx, name, run);
    b.CreateCondBr(b.CreateIsNull(pointer), nullArgument, next);
    b.SetInsertPoint(next);
  };
  checkNotNull(workspace, "workspace_ok");
  llvm::SmallVector<llvm::Value *> args;
  auto loadPointers = [&](llvm::Value *array, size_t count, const char *name) {
    if (count == 0)
      return;
    checkNotNull(array, name);
    for (size_t i = 0; i < count; ++i) {
      llvm::Value *slot = b.CreateConstInBoundsGEP1_64(ptr, array, i);
      llvm::Value *pointer = b.CreateLoad(ptr, slot);
      checkNotNull(pointer, name);
      args.push_back(pointer);
    }
  };
  loadPointers(inputs, numInputs, "inputs_ok");
  loadPointers(outputs, numOutputs, "outputs_ok");

  // Code compiled for newer CPU features must not run (and fault) on an older CPU.
  auto checkCpu = module.getOrInsertFunction("dlc_rt_check_cpu", i32, i64);
  llvm::Value *status = b.CreateCall(checkCpu, {b.getInt64(requiredCpu)});
  auto *cpuOk = llvm::BasicBlock::Create(ctx, "cpu_ok", run);
  auto *cpuBad = llvm::BasicBlock::Create(ctx, "cpu_unsupported", run);
  b.CreateCondBr(b.CreateICmpEQ(status, b.getInt32(DLC_STATUS_OK)), cpuOk, cpuBad);
  b.SetInsertPoint(cpuBad);
  b.CreateRet(status);

  // The caller's workspace may have any alignment; the plan assumes 64 bytes.
  b.SetInsertPoint(cpuOk);
  llvm::Value *address = b.CreatePtrToInt(workspace, i64);
  llvm::Value *padding = b.CreateAnd(b.CreateNeg(address), b.getInt64(63));
  args.push_back(b.CreateInBoundsGEP(b.getInt8Ty(), workspace, padding, "workspace_aligned"));
  b.CreateCall(graph, args);
  b.CreateRet(b.getInt32(DLC_STATUS_OK));
  return llvm::Error::success();
}

} // namespace dlc::targets
