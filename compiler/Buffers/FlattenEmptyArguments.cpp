// The dlc-flatten-empty-arguments pass: unused function arguments that hold no elements become
// memref<0xT>, which the bare-pointer calling convention accepts (see Passes.td).
#include "compiler/Buffers/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace dlc::buffers {

#define GEN_PASS_DEF_FLATTENEMPTYARGUMENTSPASS
#include "compiler/Buffers/Passes.h.inc"

namespace {

struct FlattenEmptyArgumentsPass
    : impl::FlattenEmptyArgumentsPassBase<FlattenEmptyArgumentsPass> {
  void runOnOperation() override {
    mlir::func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    llvm::SmallVector<mlir::Type> inputs(func.getArgumentTypes());
    bool changed = false;
    for (auto [type, argument] : llvm::zip(inputs, func.getArguments())) {
      auto memref = mlir::dyn_cast<mlir::MemRefType>(type);
      if (!memref || !memref.hasStaticShape() || memref.getNumElements() != 0 ||
          memref.getRank() == 1 || !argument.use_empty())
        continue;
      type = mlir::MemRefType::get({0}, memref.getElementType());
      argument.setType(type);
      changed = true;
    }
    if (changed)
      func.setFunctionType(
          mlir::FunctionType::get(func.getContext(), inputs, func.getResultTypes()));
  }
};

} // namespace
} // namespace dlc::buffers
