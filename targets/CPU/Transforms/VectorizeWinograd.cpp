// The dlc-cpu-vectorize-winograd pass: the input and output transforms of Winograd convolutions
// (Winograd.h) become vector loops over 16 tiles at a time, with the transform matrices applied
// as additions and subtractions.
#include "targets/CPU/Transforms/Passes.h"

#include "targets/CPU/Transforms/VectorBody.h"
#include "targets/CPU/Transforms/WindowReads.h"
#include "targets/CPU/Transforms/Winograd.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

namespace dlc::cpu {

#define GEN_PASS_DEF_VECTORIZEWINOGRADPASS
#include "targets/CPU/Transforms/Passes.h.inc"

namespace {

using namespace mlir;
using namespace winograd;

/// Whether `value` is a constant f32 matrix equal to `matrix` (`rows` x `cols`).
bool isMatrix(Value value, const float *matrix, int64_t rows, int64_t cols) {
  DenseElementsAttr elements;
  if (!matchPattern(value, m_Constant(&elements)) || !elements.getElementType().isF32() ||
      cast<ShapedType>(elements.getType()).getShape() != ArrayRef<int64_t>{rows, cols})
    return false;
  int64_t index = 0;
  for (float element : elements.getValues<float>())
    if (element != matrix[index++])
      return false;
  return true;
}

/// Whether `op` is one of the Winograd transforms: indexed by `maps`, reducing over its last two
/// loops, with the constant `matrix` (`rows` x `cols`) as inputs 1 and 2 and the body
/// `acc + input0 * input1 * input2` (the products in any order).
bool isTransform(linalg::GenericOp op, ArrayRef<AffineMap> maps, const float *matrix,
                 int64_t rows, int64_t cols) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 3 || op.getNumDpsInits() != 1 ||
      op.getIndexingMapsArray() != maps ||
      llvm::any_of(op.getStaticLoopRanges(), ShapedType::isDynamic) ||
      !isMatrix(op.getDpsInputs()[1], matrix, rows, cols) ||
      !isMatrix(op.getDpsInputs()[2], matrix, rows, cols))
    return false;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  for (auto [dim, type] : llvm::enumerate(iterators))
    if ((type == utils::IteratorType::reduction) != (dim >= 6))
      return false;
  Block &body = *op.getBody();
  auto add = body.getTerminator()->getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!add || body.getOperations().size() != 4)
    return false;
  Value acc = body.getArgument(3);
  Value term = add.getLhs() == acc ? add.getRhs() : add.getRhs() == acc ? add.getLhs() : nullptr;
  // The leaves of the multiplications must be the three inputs, once each.
  SmallVector<Value> pending{term}, leaves;
  while (!pending.empty()) {
    Value value = pending.pop_back_val();
    if (auto mul = value ? value.getDefiningOp<arith::MulFOp>() : nullptr) {
      pending.append({mul.getLhs(), mul.getRhs()});
      continue;
    }
    leaves.push_back(value);
  }
  llvm::SmallPtrSet<void *, 3> distinct;
  for (Value leaf : leaves) {
    auto arg = dyn_cast_or_null<BlockArgument>(leaf);
    if (!arg || arg.getOwner() != &body || arg.getArgNumber() > 2)
      return false;
    distinct.insert(leaf.getAsOpaquePointer());
  }
  return leaves.size() == 3 && distinct.size() == 3;
}

/// Whether `value` is a tensor filled with zero.
bool isZeroFill(Value value) {
  auto fill = value.getDefiningOp<linalg::FillOp>();
  return fill && matchPattern(fill.getInputs()[0], m_AnyZeroFloat());
}

/// sum_k row[k] * inputs[k] for a row of a transform matrix: additions and subtractions for
/// entries of 1 and -1 (all that F(2x2)'s B^T and A^T hold), a fused multiply-add otherwise.
Value combineRow(OpBuilder &b, Location loc, const float *row, ArrayRef<Value> inputs) {
  // Start from a term added, so that no negation is needed.
  int64_t first = llvm::find(ArrayRef<float>(row, inputs.size()), 1.0f) - row;
  Value sum = first < int64_t(inputs.size()) ? inputs[first] : nullptr;
  for (auto [k, input] : llvm::enumerate(inputs)) {
    float coefficient = row[k];
    if (coefficient == 0 || int64_t(k) == first)
      continue;
    Value term = input;
    if (coefficient != 1 && coefficient != -1) {
      auto type = cast<VectorType>(input.getType());
      Value scale = arith::ConstantOp::create(
          b, loc, DenseElementsAttr::get(type, b.getF32FloatAttr(coefficient).getValue()));
      if (sum) {
        sum = vector::FMAOp::create(b, loc, input, scale, sum);
        continue;
      }
      term = arith::MulFOp::create(b, loc, input, scale);
    }
    if (!sum)
      sum = coefficient == -1 ? arith::NegFOp::create(b, loc, term).getResult() : term;
    else if (coefficient == -1)
      sum = arith::SubFOp::create(b, loc, sum, term);
    else
      sum = arith::AddFOp::create(b, loc, sum, term);
  }
  return sum;
}

/// half[i][q] = sum_p matrix[i, p] * tile[p][q] for i < rows and p, q < alpha: the left product
/// of a transform (B^T d, A^T M), each entry one combineRow.
void leftProduct(OpBuilder &b, Location loc, const float *matrix, int64_t rows, int64_t alpha,
                 Value (&tile)[kMaxAlpha][kMaxAlpha], Value (&half)[kMaxAlpha][kMaxAlpha]) {
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t q = 0; q < alpha; ++q) {
      SmallVector<Value, kMaxAlpha> column;
      for (int64_t p = 0; p < alpha; ++p)
        column.push_back(tile[p][q]);
      half[i][q] = combineRow(b, loc, matrix + i * alpha, column);
    }
}

/// Builds the loop nests of the transforms: loops on tensors that carry the destination.
class LoopBuilder {
public:
  using Body = function_ref<Value(OpBuilder &, Location, Value iv, Value dest)>;

  /// for iv in [lower, upper): dest = body(iv, dest); one iteration is emitted without a loop,
  /// its index then a constant.
  Value loop(OpBuilder &b, Location loc, int64_t lower, int64_t upper, Value dest, Body body) {
    if (upper <= lower)
      return dest;
    if (upper - lower == 1)
      return body(b, loc, arith::ConstantIndexOp::create(b, loc, lower), dest);
    auto index = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };
    auto forOp = scf::ForOp::create(
        b, loc, index(lower), index(upper), index(1), ValueRange{dest},
        [&](OpBuilder &nested, Location nestedLoc, Value iv, ValueRange args) {
          scf::YieldOp::create(nested, nestedLoc, body(nested, nestedLoc, iv, args[0]));
        });
    loops.push_back(forOp);
    return forOp.getResult(0);
  }

  /// Hoists what does not change inside the loops built (bias reads, constants).
  void hoistInvariants() {
    for (scf::ForOp forOp : loops)
      moveLoopInvariantCode(cast<LoopLikeOpInterface>(forOp.getOperation()));
  }

private:
  SmallVector<scf::ForOp> loops;
};

/// m * tile + offset, for tile indices (m the output tile).
Value tileStart(OpBuilder &b, Location loc, Value tile, int64_t m, int64_t offset) {
  Value scaled = arith::MulIOp::create(b, loc, tile, arith::ConstantIndexOp::create(b, loc, m));
  return b.createOrFold<arith::AddIOp>(loc, scaled,
                                       arith::ConstantIndexOp::create(b, loc, offset));
}

/// The input transform V[a, b, c, n, ty, tx] = (B^T d B)[a, b] of the tile d at rows
/// m ty .. m ty + alpha - 1 and the same columns of the padded input: per (c, n, ty), vectors of
/// `lanes` tiles (one register) along tx, each of the alpha^2 input vectors one read of every
/// m-th column (from the unpadded source).
void rewriteInputTransform(RewriterBase &rewriter, linalg::GenericOp op, const Variant &variant,
                           int64_t lanes) {
  Location loc = op.getLoc();
  int64_t alpha = variant.alpha, outputTile = variant.outputTile;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t channels = ranges[2], batch = ranges[3], tileRows = ranges[4], tileCols = ranges[5];
  rewriter.setInsertionPoint(op);
  Value input = op.getDpsInputs()[0];
  std::optional<PaddedSource> padded = PaddedSource::of(input);
  Value source = padded ? padded->source(rewriter, loc) : input;
  // Tile rows whose four input rows all lie inside the source.
  int64_t rowLow = padded ? padded->low[2] : 0;
  int64_t rowSize = padded ? padded->sizes[2] : cast<ShapedType>(input.getType()).getDimSize(2);
  int64_t firstInside = std::clamp<int64_t>(llvm::divideCeil(rowLow, outputTile), 0, tileRows);
  int64_t endInside = std::clamp<int64_t>(
      llvm::divideFloorSigned(rowLow + rowSize - alpha, outputTile) + 1, firstInside,
      tileRows);

  auto resultType = cast<RankedTensorType>(op.getResultTypes()[0]);
  Value dest = tensor::EmptyOp::create(rewriter, loc, resultType.getShape(),
                                       resultType.getElementType());
  LoopBuilder loops;
  auto tileRow = [&](OpBuilder &b, Location l, Value c, Value n, Value ty, Value carried,
                     bool rowsInside) {
    auto index = [&](int64_t v) -> Value { return arith::ConstantIndexOp::create(b, l, v); };
    for (int64_t tx0 = 0; tx0 < tileCols; tx0 += lanes) {
      int64_t width = std::min(lanes, tileCols - tx0);
      // rows[p][q]: columns m tx + q of input row m ty + p, for the tiles tx0 .. tx0 + width.
      Value rows[kMaxAlpha][kMaxAlpha];
      for (int64_t p = 0; p < alpha; ++p)
        for (int64_t q = 0; q < alpha; ++q) {
          SmallVector<Value> at{n, c, tileStart(b, l, ty, outputTile, p),
                                index(tx0 * outputTile + q)};
          rows[p][q] = padded ? padded->read(b, l, source, at, outputTile, width,
                                             {true, true, rowsInside, false})
                              : readLanes(b, l, source, at, outputTile, width);
        }
      // B^T d: combine rows; then (B^T d) B: combine columns.
      Value half[kMaxAlpha][kMaxAlpha];
      leftProduct(b, l, variant.inputMatrix, alpha, alpha, rows, half);
      for (int64_t a = 0; a < alpha; ++a)
        for (int64_t bb = 0; bb < alpha; ++bb) {
          Value transformed = combineRow(b, l, variant.inputMatrix + bb * alpha,
                                         ArrayRef<Value>(half[a], alpha));
          carried = vector::TransferWriteOp::create(
                        b, l, transformed, carried,
                        ValueRange{index(a), index(bb), c, n, ty, index(tx0)},
                        ArrayRef<bool>{true})
                        .getResult();
        }
    }
    return carried;
  };
  Value result = loops.loop(
      rewriter, loc, 0, channels, dest, [&](OpBuilder &b, Location l, Value c, Value d) {
        return loops.loop(b, l, 0, batch, d, [&](OpBuilder &b2, Location l2, Value n, Value d2) {
          for (auto [from, to, inside] : {std::tuple{int64_t(0), firstInside, false},
                                          std::tuple{firstInside, endInside, true},
                                          std::tuple{endInside, tileRows, false}})
            d2 = loops.loop(b2, l2, from, to, d2,
                            [&](OpBuilder &b3, Location l3, Value ty, Value d3) {
                              return tileRow(b3, l3, c, n, ty, d3, inside);
                            });
          return d2;
        });
      });
  rewriter.replaceOp(op, result);
  loops.hoistInvariants();
}

/// The elementwise op applied to the output transform's result that can run on its vectors: an
/// all-parallel generic, its only user, reading only that result, with identity maps.
linalg::GenericOp findEpilogue(linalg::GenericOp op) {
  Value result = op.getResult(0);
  if (!result.hasOneUse())
    return nullptr;
  auto consumer = dyn_cast<linalg::GenericOp>(*result.getUsers().begin());
  if (!consumer || !consumer.hasPureTensorSemantics() || consumer.getNumDpsInits() != 1 ||
      consumer.getNumLoops() != consumer.getNumParallelLoops() ||
      consumer.getDpsInits()[0] == result || !consumer.getRegionOutputArgs()[0].use_empty() ||
      !consumer.getMatchingIndexingMap(consumer.getDpsInitOperand(0)).isIdentity() ||
      !hasVectorizableBody(consumer))
    return nullptr;
  for (OpOperand *input : consumer.getDpsInputOperands()) {
    bool used = !consumer.getMatchingBlockArgument(input).use_empty();
    if (used && (input->get() != result || !consumer.getMatchingIndexingMap(input).isIdentity()))
      return nullptr;
  }
  return consumer;
}

/// The initial value of the output transform, per filter: a filled scalar or a bias [F]
/// broadcast along dimension 1. Null when it is neither.
struct OutputInit {
  Operation *producer = nullptr;
  Value scalar; // the fill value
  Value bias;   // the bias tensor

  static std::optional<OutputInit> of(Value init) {
    OutputInit result;
    result.producer = init.getDefiningOp();
    if (auto fill = init.getDefiningOp<linalg::FillOp>()) {
      result.scalar = fill.getInputs()[0];
      return result;
    }
    auto broadcast = init.getDefiningOp<linalg::GenericOp>();
    if (!broadcast || broadcast.getNumDpsInputs() != 1 || broadcast.getNumDpsInits() != 1 ||
        broadcast.getNumLoops() != broadcast.getNumParallelLoops())
      return std::nullopt;
    MLIRContext *ctx = init.getContext();
    AffineMap filterMap = AffineMap::get(6, 0, {getAffineDimExpr(1, ctx)}, ctx);
    Block &body = *broadcast.getBody();
    if (broadcast.getIndexingMapsArray()[0] != filterMap ||
        !broadcast.getIndexingMapsArray()[1].isIdentity() ||
        body.getTerminator()->getOperand(0) != body.getArgument(0))
      return std::nullopt;
    result.bias = broadcast.getDpsInputs()[0];
    return result;
  }

  /// The initial value for filter `f`, broadcast to `width` lanes.
  Value vector(OpBuilder &b, Location loc, Value f, int64_t width) {
    Value value = scalar ? scalar : tensor::ExtractOp::create(b, loc, bias, f).getResult();
    return vector::BroadcastOp::create(b, loc, VectorType::get({width}, value.getType()), value);
  }
};

/// Lane t * k + j of the result is lane t of vectors[j], for k vectors of `width` lanes (k a
/// power of two): pairs interleaved lane by lane, the even-numbered vectors' before the odd.
Value interleave(OpBuilder &b, Location loc, ArrayRef<Value> vectors, int64_t width) {
  if (vectors.size() == 1)
    return vectors.front();
  SmallVector<Value> evens, odds;
  for (auto [k, vector] : llvm::enumerate(vectors))
    (k % 2 ? odds : evens).push_back(vector);
  int64_t half = width * int64_t(evens.size());
  SmallVector<int64_t> lanes;
  for (int64_t lane = 0; lane < half; ++lane)
    lanes.append({lane, half + lane});
  return vector::ShuffleOp::create(b, loc, interleave(b, loc, evens, width),
                                   interleave(b, loc, odds, width), lanes);
}

/// The output transform Y[n, f, m ty + i, m tx + j] = init[f] + (A^T M A)[i, j]: per
/// (f, n, ty), vectors of `lanes` tiles along tx; an activation that follows is applied to the
/// same vectors, and the m outputs of a tile row are interleaved into one contiguous row of
/// `lanes` m.
void rewriteOutputTransform(RewriterBase &rewriter, linalg::GenericOp op, OutputInit init,
                            const Variant &variant, int64_t lanes) {
  Location loc = op.getLoc();
  int64_t alpha = variant.alpha, outputTile = variant.outputTile;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t batch = ranges[0], filters = ranges[1], tileRows = ranges[2], tileCols = ranges[4];
  linalg::GenericOp epilogue = findEpilogue(op);
  Operation *last = epilogue ? epilogue.getOperation() : op.getOperation();
  rewriter.setInsertionPoint(last);
  Value products = op.getDpsInputs()[0];
  auto resultType = cast<RankedTensorType>(last->getResultTypes()[0]);
  Value dest = tensor::EmptyOp::create(
      rewriter, loc,
      ArrayRef<int64_t>{batch, filters, tileRows * outputTile, tileCols * outputTile},
      resultType.getElementType());

  LoopBuilder loops;
  auto tileRow = [&](OpBuilder &b, Location l, Value f, Value n, Value ty, Value carried) {
    auto index = [&](int64_t v) -> Value { return arith::ConstantIndexOp::create(b, l, v); };
    for (int64_t tx0 = 0; tx0 < tileCols; tx0 += lanes) {
      int64_t width = std::min(lanes, tileCols - tx0);
      auto vectorType = VectorType::get({width}, b.getF32Type());
      Value m[kMaxAlpha][kMaxAlpha];
      for (int64_t a = 0; a < alpha; ++a)
        for (int64_t bb = 0; bb < alpha; ++bb)
          m[a][bb] = vector::TransferReadOp::create(
              b, l, vectorType, products, ValueRange{index(a), index(bb), f, n, ty, index(tx0)},
              /*padding=*/std::nullopt, ArrayRef<bool>{true});
      // A^T M: combine rows; then (A^T M) A: combine columns.
      Value half[kMaxAlpha][kMaxAlpha];
      leftProduct(b, l, variant.outputMatrix, outputTile, alpha, m, half);
      Value start = init.vector(b, l, f, width);
      for (int64_t i = 0; i < outputTile; ++i) {
        SmallVector<Value, kMaxAlpha> outputs;
        for (int64_t j = 0; j < outputTile; ++j) {
          Value sum = arith::AddFOp::create(
              b, l, start,
              combineRow(b, l, variant.outputMatrix + j * alpha,
                         ArrayRef<Value>(half[i], alpha)));
          if (epilogue) {
            SmallVector<Value> args;
            for (OpOperand *input : epilogue.getDpsInputOperands())
              args.push_back(epilogue.getMatchingBlockArgument(input).use_empty() ? nullptr
                                                                                  : sum);
            args.push_back(nullptr);
            sum = emitVectorBody(b, l, *epilogue.getBody(), args, width);
          }
          outputs.push_back(sum);
        }
        // Lane t of outputs[j] is column m t + j.
        Value row = interleave(b, l, outputs, width);
        carried = vector::TransferWriteOp::create(
                      b, l, row, carried,
                      ValueRange{n, f, tileStart(b, l, ty, outputTile, i),
                                 index(tx0 * outputTile)},
                      ArrayRef<bool>{true})
                      .getResult();
      }
    }
    return carried;
  };
  Value result = loops.loop(
      rewriter, loc, 0, filters, dest, [&](OpBuilder &b, Location l, Value f, Value d) {
        return loops.loop(b, l, 0, batch, d, [&](OpBuilder &b2, Location l2, Value n, Value d2) {
          return loops.loop(b2, l2, 0, tileRows, d2,
                            [&](OpBuilder &b3, Location l3, Value ty, Value d3) {
                              return tileRow(b3, l3, f, n, ty, d3);
                            });
        });
      });
  // Back to the transform's [n, f, ty, i, tx, j]; the collapse that follows folds with this.
  Value tiled = tensor::ExpandShapeOp::create(
      rewriter, loc, resultType, result,
      SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}, {4, 5}});
  rewriter.replaceAllUsesWith(last->getResult(0), tiled);
  for (Operation *dead : {last, epilogue ? op.getOperation() : nullptr, init.producer})
    if (dead && dead->use_empty())
      rewriter.eraseOp(dead);
  loops.hoistInvariants();
}

struct VectorizeWinogradPass : impl::VectorizeWinogradPassBase<VectorizeWinogradPass> {
  using Base::Base;

  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    SmallVector<std::pair<linalg::GenericOp, const Variant *>> inputs, outputs;
    getOperation().walk([&](linalg::GenericOp op) {
      for (const Variant *v : kVariants) {
        if (isTransform(op, inputTransformMaps(ctx, *v), v->inputMatrix, v->alpha, v->alpha) &&
            isZeroFill(op.getDpsInits()[0]))
          inputs.emplace_back(op, v);
        else if (isTransform(op, outputTransformMaps(ctx), v->outputMatrix, v->outputTile,
                             v->alpha))
          outputs.emplace_back(op, v);
      }
    });
    IRRewriter rewriter(ctx);
    for (auto [op, variant] : inputs)
      rewriteInputTransform(rewriter, op, *variant, lanes);
    for (auto [op, variant] : outputs)
      if (std::optional<OutputInit> init = OutputInit::of(op.getDpsInits()[0]))
        rewriteOutputTransform(rewriter, op, *init, *variant, lanes);
  }
};

} // namespace
} // namespace dlc::cpu
