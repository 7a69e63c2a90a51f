// The dlc-cpu-emulate-amx pass: AMX tile operations become vector code with the semantics the
// Intel SDM gives the instructions, tiles 2-D vectors (see Passes.td). For testing the AMX
// kernels on CPUs that lack AMX; no target's pipeline runs it.
#include "targets/CPU/Transforms/Passes.h"

#include "targets/CPU/Transforms/TileTypes.h"

namespace dlc::cpu {

#define GEN_PASS_DEF_EMULATEAMXPASS
#include "targets/CPU/Transforms/Passes.h.inc"

namespace {

using namespace mlir;

VectorType vectorOf(amx::TileType tile) {
  return VectorType::get(tile.getShape(), tile.getElementType());
}

/// A splat i32 constant of `type` (a vector of i32).
Value splat(OpBuilder &b, Location loc, VectorType type, int64_t value) {
  return arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(type, b.getIntegerAttr(type.getElementType(), value)));
}

/// `value` (a vector of f32) with denormals replaced by zeros of their sign: what the tile
/// instructions do to their inputs (DAZ) and results (FTZ).
Value flushDenormals(OpBuilder &b, Location loc, Value value) {
  auto floats = cast<VectorType>(value.getType());
  auto ints = floats.clone(b.getI32Type());
  Value bits = arith::BitcastOp::create(b, loc, ints, value);
  Value exponent = arith::AndIOp::create(b, loc, bits, splat(b, loc, ints, 0x7f800000));
  Value denormal = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, exponent,
                                         splat(b, loc, ints, 0));
  Value signedZero =
      arith::AndIOp::create(b, loc, bits, splat(b, loc, ints, int32_t(0x80000000u)));
  return arith::BitcastOp::create(
      b, loc, floats, arith::SelectOp::create(b, loc, denormal, signedZero, bits));
}

/// The f32 values of the even (`odd` false) or odd bf16 elements of `words`, each 32-bit
/// lane holding a pair: the low half is the even element.
Value bf16Half(OpBuilder &b, Location loc, Value words, bool odd) {
  auto ints = cast<VectorType>(words.getType());
  Value bits = odd ? arith::AndIOp::create(b, loc, words, splat(b, loc, ints, int32_t(0xffff0000u)))
                         .getResult()
                   : arith::ShLIOp::create(b, loc, words, splat(b, loc, ints, 16)).getResult();
  return arith::BitcastOp::create(b, loc, ints.clone(b.getF32Type()), bits);
}

/// Byte `e` of each 32-bit lane of `words`, sign- or zero-extended to 32 bits.
Value byteOf(OpBuilder &b, Location loc, Value words, int64_t e, bool zeroExtend) {
  auto ints = cast<VectorType>(words.getType());
  if (zeroExtend)
    return arith::AndIOp::create(
        b, loc, arith::ShRUIOp::create(b, loc, words, splat(b, loc, ints, 8 * e)),
        splat(b, loc, ints, 0xff));
  return arith::ShRSIOp::create(
      b, loc, arith::ShLIOp::create(b, loc, words, splat(b, loc, ints, 24 - 8 * e)),
      splat(b, loc, ints, 24));
}

/// Row `m` of a 2-D vector of narrow elements as its 32-bit words.
Value rowWords(OpBuilder &b, Location loc, Value tile, int64_t m) {
  auto type = cast<VectorType>(tile.getType());
  int64_t bytes = type.getDimSize(1) * type.getElementTypeBitWidth() / 8;
  Value row = vector::ExtractOp::create(b, loc, tile, ArrayRef<int64_t>{m});
  return vector::BitCastOp::create(b, loc, VectorType::get({bytes / 4}, b.getI32Type()), row);
}

/// Word `p` of `words` in every one of `lanes` lanes.
Value broadcastWord(OpBuilder &b, Location loc, Value words, int64_t p, int64_t lanes) {
  Value word = vector::ExtractOp::create(b, loc, words, ArrayRef<int64_t>{p});
  return vector::BroadcastOp::create(b, loc, VectorType::get({lanes}, b.getI32Type()), word);
}

struct EmulateZero : OpConversionPattern<amx::TileZeroOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(amx::TileZeroOp op, OpAdaptor,
                                ConversionPatternRewriter &rewriter) const override {
    VectorType type = vectorOf(op.getTileType());
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, type, rewriter.getZeroAttr(type));
    return success();
  }
};

struct EmulateLoad : OpConversionPattern<amx::TileLoadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(amx::TileLoadOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (op.getStride())
      return rewriter.notifyMatchFailure(op, "a tile load with an explicit stride");
    VectorType type = vectorOf(op.getTileType());
    Value pad = arith::ConstantOp::create(rewriter, op.getLoc(),
                                          rewriter.getZeroAttr(type.getElementType()));
    rewriter.replaceOpWithNewOp<vector::TransferReadOp>(
        op, type, adaptor.getBase(), adaptor.getIndices(), pad, ArrayRef<bool>{true, true});
    return success();
  }
};

struct EmulateStore : OpConversionPattern<amx::TileStoreOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(amx::TileStoreOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (op.getStride())
      return rewriter.notifyMatchFailure(op, "a tile store with an explicit stride");
    rewriter.replaceOpWithNewOp<vector::TransferWriteOp>(op, adaptor.getVal(), adaptor.getBase(),
                                                         adaptor.getIndices(),
                                                         ArrayRef<bool>{true, true});
    return success();
  }
};

/// tdpbf16ps: per row m and column n, dst += (sum of even products) + (sum of odd products),
/// each sum a chain of fused multiply-adds from zero in k order, with DAZ and FTZ.
struct EmulateMulF : OpConversionPattern<amx::TileMulFOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(amx::TileMulFOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    if (!op.getLhsTileType().getElementType().isBF16())
      return rewriter.notifyMatchFailure(op, "only bf16 tiles are emulated");
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    auto accType = vectorOf(op.getTileType());
    int64_t rows = accType.getDimSize(0), lanes = accType.getDimSize(1);
    int64_t pairs = op.getRhsTileType().getDimSize(0);
    auto rowType = VectorType::get({lanes}, b.getF32Type());
    SmallVector<Value> evens, odds;
    for (int64_t p = 0; p < pairs; ++p) {
      Value words = rowWords(b, loc, adaptor.getRhs(), p);
      evens.push_back(flushDenormals(b, loc, bf16Half(b, loc, words, false)));
      odds.push_back(flushDenormals(b, loc, bf16Half(b, loc, words, true)));
    }
    Value zero = arith::ConstantOp::create(b, loc, rowType, b.getZeroAttr(rowType));
    Value result = adaptor.getAcc();
    for (int64_t m = 0; m < rows; ++m) {
      Value words = rowWords(b, loc, adaptor.getLhs(), m);
      Value even = zero, odd = zero;
      for (int64_t p = 0; p < pairs; ++p) {
        Value word = broadcastWord(b, loc, words, p, lanes);
        Value a0 = flushDenormals(b, loc, bf16Half(b, loc, word, false));
        Value a1 = flushDenormals(b, loc, bf16Half(b, loc, word, true));
        even = flushDenormals(b, loc, math::FmaOp::create(b, loc, a0, evens[p], even));
        odd = flushDenormals(b, loc, math::FmaOp::create(b, loc, a1, odds[p], odd));
      }
      Value dst = flushDenormals(
          b, loc, vector::ExtractOp::create(b, loc, adaptor.getAcc(), ArrayRef<int64_t>{m}));
      Value pair = flushDenormals(b, loc, arith::AddFOp::create(b, loc, even, odd));
      Value row = flushDenormals(b, loc, arith::AddFOp::create(b, loc, dst, pair));
      result = vector::InsertOp::create(b, loc, row, result, ArrayRef<int64_t>{m});
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// tdpb[su][su]d: per row m, column n and group of 4 bytes, the 4 products of the extended
/// bytes added to the int32 destination (wrapping, so in any order).
struct EmulateMulI : OpConversionPattern<amx::TileMulIOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(amx::TileMulIOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    auto accType = vectorOf(op.getTileType());
    int64_t rows = accType.getDimSize(0), lanes = accType.getDimSize(1);
    int64_t quads = op.getRhsTileType().getDimSize(0);
    SmallVector<SmallVector<Value, 4>> weights;
    for (int64_t p = 0; p < quads; ++p) {
      Value words = rowWords(b, loc, adaptor.getRhs(), p);
      SmallVector<Value, 4> bytes;
      for (int64_t e = 0; e < 4; ++e)
        bytes.push_back(byteOf(b, loc, words, e, op.getIsZextRhs()));
      weights.push_back(bytes);
    }
    Value result = adaptor.getAcc();
    for (int64_t m = 0; m < rows; ++m) {
      Value words = rowWords(b, loc, adaptor.getLhs(), m);
      Value row = vector::ExtractOp::create(b, loc, adaptor.getAcc(), ArrayRef<int64_t>{m});
      for (int64_t p = 0; p < quads; ++p) {
        Value word = broadcastWord(b, loc, words, p, lanes);
        for (int64_t e = 0; e < 4; ++e)
          row = arith::AddIOp::create(
              b, loc, row,
              arith::MulIOp::create(b, loc, byteOf(b, loc, word, e, op.getIsZextLhs()),
                                    weights[p][e]));
      }
      result = vector::InsertOp::create(b, loc, row, result, ArrayRef<int64_t>{m});
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct EmulateAmxPass : impl::EmulateAmxPassBase<EmulateAmxPass> {
  using Base::Base;

  void runOnOperation() override {
    auto addPatterns = [](TypeConverter &converter, RewritePatternSet &patterns) {
      patterns.add<EmulateZero, EmulateLoad, EmulateStore, EmulateMulF, EmulateMulI>(
          converter, patterns.getContext());
    };
    if (failed(convertTileTypes(getOperation(), vectorOf, addPatterns)))
      signalPassFailure();
  }
};

} // namespace
} // namespace dlc::cpu
