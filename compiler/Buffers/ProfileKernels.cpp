// The dlc-profile-kernels pass: each kernel of a graph function is timed into the runtime's
// profile, with its name and its arithmetic (see Passes.td and runtime/include/dlc/profile.h).
#include "compiler/Buffers/Passes.h"

#include "dlc/profile.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "llvm/ADT/SetVector.h"

namespace dlc::buffers {

#define GEN_PASS_DEF_PROFILEKERNELSPASS
#include "compiler/Buffers/Passes.h.inc"

namespace {

using namespace mlir;

/// Node names a kernel's name lists before "+N more".
constexpr size_t kMaxNames = 4;

/// A kernel's arithmetic (see Passes.td) and the instruction it runs on.
struct Work {
  int64_t operations = 0;
  int32_t kind = DLC_RT_PROFILE_FP32; ///< what the runtime's events say (dlc/profile.h)
};

int64_t elementsOf(Type type) {
  if (auto vector = dyn_cast<VectorType>(type))
    return vector.getNumElements();
  return 1;
}

/// Multiply-adds of `op` itself (not of its regions), counted as FLOPs.
int64_t ownOperations(Operation *op, int32_t &kind) {
  if (op->getNumResults() != 1)
    return 0;
  Type type = op->getResult(0).getType();
  if (getElementTypeOrSelf(type).isIndex())
    return 0;
  int64_t elements = elementsOf(type);
  if (isa<arith::MulFOp, arith::AddFOp, arith::SubFOp, arith::MulIOp, arith::AddIOp,
          arith::SubIOp>(op))
    return elements;
  if (isa<vector::FMAOp, math::FmaOp>(op))
    return 2 * elements;
  if (isa<x86vector::DotBF16Op>(op)) {
    kind = std::max<int32_t>(kind, DLC_RT_PROFILE_BF16);
    return 4 * elements;
  }
  if (auto intrinsic = dyn_cast<LLVM::CallIntrinsicOp>(op);
      intrinsic && intrinsic.getIntrin().starts_with("llvm.x86.avx512.vpdpbusd")) {
    kind = DLC_RT_PROFILE_INT8;
    return 8 * elements;
  }
  return 0;
}

int64_t tripCount(scf::ForOp loop) {
  std::optional<int64_t> lower = getConstantIntValue(loop.getLowerBound());
  std::optional<int64_t> upper = getConstantIntValue(loop.getUpperBound());
  std::optional<int64_t> step = getConstantIntValue(loop.getStep());
  if (!lower || !upper || !step || *step <= 0)
    return 1;
  return std::max<int64_t>(0, llvm::divideCeil(*upper - *lower, *step));
}

int64_t operationsOf(Operation *op, int32_t &kind);

int64_t operationsOf(Region &region, int32_t &kind) {
  int64_t total = 0;
  for (Block &block : region)
    for (Operation &op : block)
      total += operationsOf(&op, kind);
  return total;
}

int64_t operationsOf(Operation *op, int32_t &kind) {
  if (auto loop = dyn_cast<scf::ForOp>(op))
    return tripCount(loop) * operationsOf(loop.getRegion(), kind);
  if (auto branch = dyn_cast<scf::IfOp>(op))
    return std::max(operationsOf(branch.getThenRegion(), kind),
                    operationsOf(branch.getElseRegion(), kind));
  if (auto structured = dyn_cast<linalg::LinalgOp>(op)) {
    int64_t iterations = 1;
    for (int64_t range : structured.getStaticLoopRanges())
      iterations *= ShapedType::isDynamic(range) ? 1 : range;
    return iterations * operationsOf(op->getRegion(0), kind);
  }
  int64_t total = ownOperations(op, kind);
  for (Region &region : op->getRegions())
    total += operationsOf(region, kind);
  return total;
}

void collectNames(Location loc, llvm::SetVector<StringRef> &names) {
  if (auto name = dyn_cast<NameLoc>(loc)) {
    names.insert(name.getName().getValue());
  } else if (auto fused = dyn_cast<FusedLoc>(loc)) {
    for (Location inner : fused.getLocations())
      collectNames(inner, names);
  } else if (auto call = dyn_cast<CallSiteLoc>(loc)) {
    collectNames(call.getCallee(), names);
  }
}

/// The ONNX nodes `kernel` computes, joined by '+'; its op name when it has none.
std::string kernelName(Operation *kernel) {
  llvm::SetVector<StringRef> names;
  kernel->walk<WalkOrder::PreOrder>([&](Operation *op) { collectNames(op->getLoc(), names); });
  if (names.empty())
    return kernel->getName().getStringRef().str();
  std::string name;
  for (StringRef node : names.getArrayRef().take_front(kMaxNames))
    name += (name.empty() ? "" : "+") + node.str();
  if (names.size() > kMaxNames)
    name += "+" + std::to_string(names.size() - kMaxNames) + " more";
  return name;
}

/// Whether a top-level op of a graph function runs a kernel (rather than making a view or a
/// constant).
bool isKernel(Operation *op) {
  return op->getNumRegions() > 0 || isa<linalg::LinalgOp, memref::CopyOp, func::CallOp>(op);
}

func::FuncOp declare(ModuleOp module, StringRef name, FunctionType type) {
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  OpBuilder b(module.getBodyRegion());
  auto func = func::FuncOp::create(b, module.getLoc(), name, type);
  func.setPrivate();
  return func;
}

struct ProfileKernelsPass : impl::ProfileKernelsPassBase<ProfileKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *context = &getContext();
    Type i32 = IntegerType::get(context, 32), i64 = IntegerType::get(context, 64);
    Type pointer = LLVM::LLVMPointerType::get(context);
    SmallVector<func::FuncOp> graphs;
    for (auto func : module.getOps<func::FuncOp>())
      if (!func.isExternal() && func->hasAttr("dlc.workspace_size"))
        graphs.push_back(func);
    if (graphs.empty())
      return;
    func::FuncOp clock =
        declare(module, "dlc_rt_profile_clock", FunctionType::get(context, {}, {i64}));
    func::FuncOp record = declare(module, "dlc_rt_profile_record",
                                  FunctionType::get(context, {pointer, i64, i32, i64}, {}));
    unsigned next = 0;
    for (func::FuncOp graph : graphs) {
      SmallVector<Operation *> kernels;
      for (Operation &op : graph.getBody().front())
        if (isKernel(&op))
          kernels.push_back(&op);
      for (Operation *kernel : kernels) {
        Work work;
        work.operations = operationsOf(kernel, work.kind);
        Location loc = kernel->getLoc();
        OpBuilder b(kernel);
        Value start = func::CallOp::create(b, loc, clock).getResult(0);
        b.setInsertionPointAfter(kernel);
        std::string symbol = "__dlc_profile_name_" + std::to_string(next++);
        Value name = LLVM::createGlobalString(loc, b, symbol, kernelName(kernel) + '\0',
                                              LLVM::Linkage::Internal);
        Value operations = arith::ConstantIntOp::create(b, loc, i64, work.operations);
        Value kind = arith::ConstantIntOp::create(b, loc, i32, work.kind);
        func::CallOp::create(b, loc, record, ValueRange{name, operations, kind, start});
      }
    }
  }
};

} // namespace
} // namespace dlc::buffers
