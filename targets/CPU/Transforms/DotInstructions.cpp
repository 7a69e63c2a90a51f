// The CPU's dot-product instructions as the int8 and bf16 kernels emit them (see
// DotInstructions.h).
#include "targets/CPU/Transforms/DotInstructions.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"

namespace dlc::cpu {

using namespace mlir;


int64_t dotGroup(DotKind kind) { return kind == DotKind::Int8 ? 4 : 2; }

Type dotElement(MLIRContext *ctx, DotKind kind) {
  Builder b(ctx);
  return kind == DotKind::Int8 ? Type(b.getI8Type()) : Type(b.getBF16Type());
}

Type dotSum(MLIRContext *ctx, DotKind kind) {
  Builder b(ctx);
  return kind == DotKind::Int8 ? Type(b.getI32Type()) : Type(b.getF32Type());
}

Value emitDot(OpBuilder &b, Location loc, DotKind kind, Value acc, Value unsignedSide,
              Value signedSide) {
  if (kind == DotKind::BF16)
    return x86vector::DotBF16Op::create(b, loc, acc.getType(), acc, unsignedSide, signedSide);
  // vpdpbusd on 512, 256 or 128 bits: x86vector has AVX-VNNI-INT8's signed x signed dot
  // product, not AVX512-VNNI's.
  int64_t bits = cast<VectorType>(acc.getType()).getNumElements() * 32;
  std::string intrinsic = "llvm.x86.avx512.vpdpbusd." + std::to_string(bits);
  return LLVM::CallIntrinsicOp::create(b, loc, acc.getType(), b.getStringAttr(intrinsic),
                                       ValueRange{acc, unsignedSide, signedSide})
      .getResult(0);
}

void replaceWithKernel(RewriterBase &rewriter, Operation *product, Operation *epilogue,
                       Value result) {
  if (!epilogue)
    return rewriter.replaceOp(product, result);
  rewriter.replaceOp(epilogue, result);
  rewriter.eraseOp(product);
}

Value indexConstant(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

Value addIndex(OpBuilder &b, Location loc, Value base, int64_t delta) {
  return delta == 0 ? base
                    : arith::AddIOp::create(b, loc, base, indexConstant(b, loc, delta)).getResult();
}

Value mulIndex(OpBuilder &b, Location loc, Value base, int64_t factor) {
  return factor == 1
             ? base
             : arith::MulIOp::create(b, loc, base, indexConstant(b, loc, factor)).getResult();
}

scf::ForOp forLoop(OpBuilder &b, Location loc, int64_t upper, int64_t step, ValueRange carried,
                   function_ref<SmallVector<Value>(OpBuilder &, Value, ValueRange)> body) {
  return scf::ForOp::create(
      b, loc, indexConstant(b, loc, 0), indexConstant(b, loc, upper),
      indexConstant(b, loc, step), carried,
      [&](OpBuilder &nested, Location, Value iv, ValueRange args) {
        scf::YieldOp::create(nested, loc, body(nested, iv, args));
      });
}

} // namespace dlc::cpu
