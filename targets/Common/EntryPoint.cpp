// Generates the C entry point NAME_run in LLVM IR (argument and CPU checks, workspace alignment,
// the call into the graph function or the specialization for the given dimension values, then
// NAME_output_shape) and the dispatchers of its parallel loops.
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

/// Creates the table `NAME_shapes`: for each specialization, the dimensions of every output.
llvm::GlobalVariable *outputShapeTable(llvm::Module &module, const ModelSignature &signature) {
  llvm::LLVMContext &ctx = module.getContext();
  std::vector<uint64_t> dims;
  for (const Specialization &specialization : signature.specializations)
    for (const std::vector<int64_t> &shape : specialization.outputShapes)
      dims.insert(dims.end(), shape.begin(), shape.end());
  dims.push_back(0); // a table is never empty
  auto *table = llvm::ConstantDataArray::get(ctx, dims);
  return new llvm::GlobalVariable(module, table->getType(), /*isConstant=*/true,
                                  llvm::GlobalValue::PrivateLinkage, table,
                                  signature.name + "_output_dims");
}

/// Builds the checks an entry point starts with: every pointer argument non-null (else
/// DLC_STATUS_NULL_ARGUMENT) and the CPU able to run the code (else its status).
class EntryBuilder {
public:
  EntryBuilder(llvm::Function *function)
      : function_(function), ctx_(function->getContext()), b_(ctx_) {
    auto *entry = llvm::BasicBlock::Create(ctx_, "entry", function);
    nullArgument_ = llvm::BasicBlock::Create(ctx_, "null_argument", function);
    b_.SetInsertPoint(nullArgument_);
    b_.CreateRet(b_.getInt32(DLC_STATUS_NULL_ARGUMENT));
    b_.SetInsertPoint(entry);
  }
  llvm::IRBuilder<> &builder() { return b_; }

  /// Continues when `pointer` is not null.
  void checkNotNull(llvm::Value *pointer) {
    auto *next = llvm::BasicBlock::Create(ctx_, "not_null", function_);
    b_.CreateCondBr(b_.CreateIsNull(pointer), nullArgument_, next);
    b_.SetInsertPoint(next);
  }
  /// Continues when `ok`; returns `status` otherwise.
  void checkOr(llvm::Value *ok, llvm::Value *status) {
    auto *pass = llvm::BasicBlock::Create(ctx_, "ok", function_);
    auto *failBlock = llvm::BasicBlock::Create(ctx_, "fail", function_);
    b_.CreateCondBr(ok, pass, failBlock);
    b_.SetInsertPoint(failBlock);
    b_.CreateRet(status);
    b_.SetInsertPoint(pass);
  }
  /// Loads `count` pointers from `array`, each checked to be non-null.
  void loadPointers(llvm::Value *array, size_t count, llvm::SmallVectorImpl<llvm::Value *> &out) {
    if (count == 0)
      return;
    checkNotNull(array);
    llvm::Type *ptr = b_.getPtrTy();
    for (size_t i = 0; i < count; ++i) {
      llvm::Value *pointer = b_.CreateLoad(ptr, b_.CreateConstInBoundsGEP1_64(ptr, array, i));
      checkNotNull(pointer);
      out.push_back(pointer);
    }
  }
  /// Code compiled for newer CPU features must not run (and fault) on an older CPU.
  void checkCpu(uint64_t requiredCpu) {
    auto check = function_->getParent()->getOrInsertFunction("dlc_rt_check_cpu", b_.getInt32Ty(),
                                                             b_.getInt64Ty());
    llvm::Value *status = b_.CreateCall(check, {b_.getInt64(requiredCpu)});
    checkOr(b_.CreateICmpEQ(status, b_.getInt32(DLC_STATUS_OK)), status);
  }
  /// The caller's workspace may have any alignment; the plan assumes 64 bytes.
  llvm::Value *alignWorkspace(llvm::Value *workspace) {
    llvm::Value *address = b_.CreatePtrToInt(workspace, b_.getInt64Ty());
    llvm::Value *padding = b_.CreateAnd(b_.CreateNeg(address), b_.getInt64(63));
    return b_.CreateInBoundsGEP(b_.getInt8Ty(), workspace, padding, "workspace_aligned");
  }
  /// Checks the `count` dimension values at `dims` against `maxima` and returns the index of
  /// the specialization compiled for them (the last dimension varying fastest); a value out of
  /// range returns DLC_STATUS_BAD_DIMENSION.
  llvm::Value *specializationIndex(llvm::Value *dims, llvm::ArrayRef<SymbolicDim> symbols) {
    checkNotNull(dims);
    llvm::Type *i64 = b_.getInt64Ty();
    llvm::Value *index = b_.getInt64(0);
    for (auto [i, symbol] : llvm::enumerate(symbols)) {
      llvm::Value *value = b_.CreateLoad(i64, b_.CreateConstInBoundsGEP1_64(i64, dims, i));
      // (value - min) as unsigned is below (max - min + 1) only for min <= value <= max.
      llvm::Value *offset = b_.CreateSub(value, b_.getInt64(symbol.min));
      checkOr(b_.CreateICmpULE(offset, b_.getInt64(symbol.max - symbol.min)),
              b_.getInt32(DLC_STATUS_BAD_DIMENSION));
      if (symbol.step > 1) {
        checkOr(b_.CreateICmpEQ(b_.CreateURem(offset, b_.getInt64(symbol.step)), b_.getInt64(0)),
                b_.getInt32(DLC_STATUS_BAD_DIMENSION));
        offset = b_.CreateUDiv(offset, b_.getInt64(symbol.step));
      }
      index = b_.CreateAdd(b_.CreateMul(index, b_.getInt64(symbol.numValues())), offset);
    }
    return index;
  }

private:
  llvm::Function *function_;
  llvm::LLVMContext &ctx_;
  llvm::IRBuilder<> b_;
  llvm::BasicBlock *nullArgument_;
};

/// Checks the graph function `name` exists with one pointer per input and output plus the
/// workspace, makes it internal and defines its parallel-loop dispatchers.
llvm::Expected<llvm::Function *> prepareGraphFunction(llvm::Module &module,
                                                      const std::string &name,
                                                      const ModelSignature &signature) {
  llvm::Function *graph = module.getFunction(name);
  if (!graph || graph->arg_size() != signature.inputs.size() + signature.outputs.size() +
                                         signature.numResultSizes() + 1)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "the graph function " + name +
                                       " is missing or has an unexpected signature");
  graph->setLinkage(llvm::GlobalValue::InternalLinkage);
  if (llvm::Error error = defineDispatchers(module, name))
    return std::move(error);
  return graph;
}

/// int NAME_output_shape(const int64_t dims[], int output, int64_t shape[]): copies output
/// `output`'s dimensions for the dimension values `dims` into `shape`.
void addOutputShapeFunction(llvm::Module &module, const ModelSignature &signature) {
  llvm::LLVMContext &ctx = module.getContext();
  llvm::Type *ptr = llvm::PointerType::getUnqual(ctx);
  llvm::Type *i32 = llvm::Type::getInt32Ty(ctx), *i64 = llvm::Type::getInt64Ty(ctx);
  auto *function = llvm::Function::Create(llvm::FunctionType::get(i32, {ptr, i32, ptr}, false),
                                          llvm::GlobalValue::ExternalLinkage,
                                          signature.name + "_output_shape", module);
  llvm::GlobalVariable *table = outputShapeTable(module, signature);
  EntryBuilder entry(function);
  llvm::IRBuilder<> &b = entry.builder();
  llvm::Value *index = entry.specializationIndex(function->getArg(0), signature.dims);
  llvm::Value *output = function->getArg(1), *shape = function->getArg(2);
  entry.checkOr(b.CreateICmpULT(output, b.getInt32(signature.outputs.size())),
                b.getInt32(DLC_STATUS_BAD_DIMENSION));
  entry.checkNotNull(shape);
  // Each specialization's row holds every output's dimensions; output k starts at the sum of
  // the ranks before it.
  int64_t rowSize = 0;
  std::vector<uint64_t> starts, ranks;
  for (const TensorSignature &tensor : signature.outputs) {
    starts.push_back(rowSize);
    ranks.push_back(tensor.shape.size());
    rowSize += tensor.shape.size();
  }
  starts.push_back(0);
  ranks.push_back(0);
  auto lookup = [&](llvm::ArrayRef<uint64_t> values, const char *name) {
    auto *array = llvm::ConstantDataArray::get(ctx, values);
    auto *global = new llvm::GlobalVariable(module, array->getType(), true,
                                            llvm::GlobalValue::PrivateLinkage, array,
                                            signature.name + name);
    llvm::Value *slot = b.CreateInBoundsGEP(i64, global, b.CreateZExt(output, i64));
    return b.CreateLoad(i64, slot);
  };
  llvm::Value *start = lookup(starts, "_output_starts");
  llvm::Value *rank = lookup(ranks, "_output_ranks");
  llvm::Value *source = b.CreateInBoundsGEP(
      i64, table, b.CreateAdd(b.CreateMul(index, b.getInt64(rowSize)), start));
  b.CreateMemCpy(shape, llvm::MaybeAlign(8), source, llvm::MaybeAlign(8),
                 b.CreateMul(rank, b.getInt64(8)));
  b.CreateRet(b.getInt32(DLC_STATUS_OK));
}

/// int NAME_result_shape(const void *workspace, int output, int64_t shape[]): output `output`'s
/// shape after the last run on `workspace`, its data-dependent size read from the workspace.
void addResultShapeFunction(llvm::Module &module, const ModelSignature &signature) {
  llvm::LLVMContext &ctx = module.getContext();
  llvm::Type *ptr = llvm::PointerType::getUnqual(ctx);
  llvm::Type *i32 = llvm::Type::getInt32Ty(ctx), *i64 = llvm::Type::getInt64Ty(ctx);
  auto *function = llvm::Function::Create(llvm::FunctionType::get(i32, {ptr, i32, ptr}, false),
                                          llvm::GlobalValue::ExternalLinkage,
                                          signature.name + "_result_shape", module);
  llvm::Value *workspace = function->getArg(0), *output = function->getArg(1);
  llvm::Value *shape = function->getArg(2);
  workspace->setName("workspace");
  output->setName("output");
  shape->setName("shape");
  EntryBuilder entry(function);
  llvm::IRBuilder<> &b = entry.builder();
  entry.checkNotNull(workspace);
  entry.checkNotNull(shape);
  llvm::Value *aligned = entry.alignWorkspace(workspace);
  auto *bad = llvm::BasicBlock::Create(ctx, "bad_output", function);
  llvm::SwitchInst *cases = b.CreateSwitch(output, bad, signature.outputs.size());
  b.SetInsertPoint(bad);
  b.CreateRet(b.getInt32(DLC_STATUS_BAD_DIMENSION));
  for (auto [k, tensor] : llvm::enumerate(signature.outputs)) {
    auto *block = llvm::BasicBlock::Create(ctx, "output", function);
    cases->addCase(b.getInt32(k), block);
    b.SetInsertPoint(block);
    for (auto [d, size] : llvm::enumerate(tensor.shape)) {
      llvm::Value *value = b.getInt64(size);
      if (int64_t(d) == tensor.dataDependentAxis)
        value = b.CreateLoad(i64, b.CreateConstInBoundsGEP1_64(
                                      b.getInt8Ty(), aligned,
                                      signature.resultSizesOffset + 8 * tensor.sizeSlot));
      b.CreateStore(value, b.CreateConstInBoundsGEP1_64(i64, shape, d));
    }
    b.CreateRet(b.getInt32(DLC_STATUS_OK));
  }
}

/// const char *NAME_metadata(const char *key): the model's metadata value for `key`, or null
/// when the model has none (or `key` is null).
void addMetadataFunction(llvm::Module &module, const ModelSignature &signature) {
  llvm::LLVMContext &ctx = module.getContext();
  llvm::Type *ptr = llvm::PointerType::getUnqual(ctx);
  auto *function = llvm::Function::Create(llvm::FunctionType::get(ptr, {ptr}, false),
                                          llvm::GlobalValue::ExternalLinkage,
                                          signature.name + "_metadata", module);
  llvm::Value *key = function->getArg(0);
  key->setName("key");
  llvm::FunctionCallee strcmp = module.getOrInsertFunction(
      "strcmp", llvm::FunctionType::get(llvm::Type::getInt32Ty(ctx), {ptr, ptr}, false));
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", function));
  auto *none = llvm::BasicBlock::Create(ctx, "none", function);
  auto *next = llvm::BasicBlock::Create(ctx, "compare", function);
  b.CreateCondBr(b.CreateIsNull(key), none, next);
  // One comparison per key: models carry a handful.
  for (const auto &[name, value] : signature.metadata) {
    b.SetInsertPoint(next);
    auto *found = llvm::BasicBlock::Create(ctx, "found", function);
    next = llvm::BasicBlock::Create(ctx, "compare", function);
    llvm::Value *same =
        b.CreateICmpEQ(b.CreateCall(strcmp, {key, b.CreateGlobalString(name)}), b.getInt32(0));
    b.CreateCondBr(same, found, next);
    b.SetInsertPoint(found);
    b.CreateRet(b.CreateGlobalString(value));
  }
  b.SetInsertPoint(next);
  b.CreateBr(none);
  b.SetInsertPoint(none);
  b.CreateRet(llvm::ConstantPointerNull::get(llvm::PointerType::getUnqual(ctx)));
}

} // namespace

/// int NAME_check_cpu(char *why, size_t size): DLC_STATUS_OK when this machine has every CPU
/// feature the code requires, else DLC_STATUS_UNSUPPORTED_CPU with the runtime's explanation of
/// what it lacks written into why.
void addCheckCpuFunction(llvm::Module &module, const ModelSignature &signature,
                         uint64_t requiredCpu) {
  llvm::LLVMContext &ctx = module.getContext();
  llvm::Type *ptr = llvm::PointerType::getUnqual(ctx);
  llvm::Type *i32 = llvm::Type::getInt32Ty(ctx), *i64 = llvm::Type::getInt64Ty(ctx);
  auto *function = llvm::Function::Create(llvm::FunctionType::get(i32, {ptr, i64}, false),
                                          llvm::GlobalValue::ExternalLinkage,
                                          signature.name + "_check_cpu", module);
  function->getArg(0)->setName("why");
  function->getArg(1)->setName("size");
  llvm::FunctionCallee explain = module.getOrInsertFunction(
      "dlc_rt_explain_cpu", llvm::FunctionType::get(i32, {i64, ptr, i64}, false));
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", function));
  llvm::Value *missing = b.CreateCall(
      explain, {b.getInt64(requiredCpu), function->getArg(0), function->getArg(1)});
  b.CreateRet(b.CreateSelect(b.CreateICmpEQ(missing, b.getInt32(0)),
                             b.getInt32(DLC_STATUS_OK), b.getInt32(DLC_STATUS_UNSUPPORTED_CPU)));
}

llvm::Error addEntryPoint(llvm::Module &module, const ModelSignature &signature,
                          uint64_t requiredCpu) {
  llvm::LLVMContext &ctx = module.getContext();
  llvm::Type *ptr = llvm::PointerType::getUnqual(ctx);
  llvm::Type *i32 = llvm::Type::getInt32Ty(ctx);
  bool symbolic = signature.hasSymbolicDims();
  std::vector<std::string> graphNames;
  if (symbolic)
    for (const Specialization &specialization : signature.specializations)
      graphNames.push_back(specialization.graphFunction);
  else
    graphNames.push_back(graphFunctionName(signature.name));
  std::vector<llvm::Constant *> graphs;
  for (const std::string &name : graphNames) {
    auto graph = prepareGraphFunction(module, name, signature);
    if (!graph)
      return graph.takeError();
    graphs.push_back(*graph);
  }

  // int NAME_run([const int64_t dims[],] const void *const inputs[], void *const outputs[],
  //              void *workspace)
  llvm::SmallVector<llvm::Type *> params(symbolic ? 4 : 3, ptr);
  auto *run = llvm::Function::Create(llvm::FunctionType::get(i32, params, false),
                                     llvm::GlobalValue::ExternalLinkage,
                                     signature.name + "_run", module);
  unsigned first = symbolic ? 1 : 0;
  llvm::Value *inputs = run->getArg(first), *outputs = run->getArg(first + 1);
  llvm::Value *workspace = run->getArg(first + 2);
  inputs->setName("inputs");
  outputs->setName("outputs");
  workspace->setName("workspace");
  EntryBuilder entry(run);
  llvm::IRBuilder<> &b = entry.builder();
  entry.checkNotNull(workspace);
  llvm::SmallVector<llvm::Value *> args;
  entry.loadPointers(inputs, signature.inputs.size(), args);
  entry.loadPointers(outputs, signature.outputs.size(), args);
  llvm::Value *graph = graphs.front();
  if (symbolic) {
    run->getArg(0)->setName("dims");
    llvm::Value *index = entry.specializationIndex(run->getArg(0), signature.dims);
    auto *tableType = llvm::ArrayType::get(ptr, graphs.size());
    auto *table = new llvm::GlobalVariable(module, tableType, true,
                                           llvm::GlobalValue::PrivateLinkage,
                                           llvm::ConstantArray::get(tableType, graphs),
                                           signature.name + "_specializations");
    graph = b.CreateLoad(ptr, b.CreateInBoundsGEP(ptr, table, index));
  }
  entry.checkCpu(requiredCpu);
  llvm::Value *aligned = entry.alignWorkspace(workspace);
  // The sizes of data-dependent outputs go to their record in the workspace.
  for (int64_t j = 0; j < signature.numResultSizes(); ++j)
    args.push_back(b.CreateConstInBoundsGEP1_64(b.getInt8Ty(), aligned,
                                                signature.resultSizesOffset + 8 * j));
  args.push_back(aligned);
  auto *graphType = llvm::cast<llvm::Function>(graphs.front())->getFunctionType();
  b.CreateCall(graphType, graph, args);
  b.CreateRet(b.getInt32(DLC_STATUS_OK));
  if (symbolic)
    addOutputShapeFunction(module, signature);
  if (signature.numDataDependentOutputs() > 0)
    addResultShapeFunction(module, signature);
  addMetadataFunction(module, signature);
  addCheckCpuFunction(module, signature, requiredCpu);
  return llvm::Error::success();
}

} // namespace dlc::targets
