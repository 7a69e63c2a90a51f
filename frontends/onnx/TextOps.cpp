// Importer of ONNX's TfIdfVectorizer over integer tokens, expanded into graph ops: the n-gram
// pool is static, so matches are comparisons of shifted slices of the input with constants.
#include "frontends/onnx/Expansion.h"
#include "frontends/onnx/OpImporters.h"

#include "mlir/IR/TypeUtilities.h"

#include <map>

using namespace mlir;

namespace dlc::onnx_frontend {
namespace {

/// The n-grams of one length that the node counts, each with its output column.
struct GramSet {
  int64_t length = 0;
  SmallVector<SmallVector<int64_t>> tokens;
  SmallVector<int64_t> columns;
};

/// Reads the pool (pool_int64s split by ngram_counts) and keeps the n-grams whose length lies
/// in [min_gram_length, max_gram_length]. N-grams are numbered over the whole pool in order;
/// ngram_indexes maps each number to its output column. A repeated n-gram counts for its last
/// number only.
FailureOr<SmallVector<GramSet>> readPool(NodeContext &ctx, int64_t minLength,
                                         int64_t maxLength, int64_t &outputSize) {
  std::vector<int64_t> pool = ctx.intsAttr("pool_int64s");
  std::vector<int64_t> counts = ctx.intsAttr("ngram_counts");
  std::vector<int64_t> indexes = ctx.intsAttr("ngram_indexes");
  if (indexes.empty())
    return ctx.fail("attribute 'ngram_indexes' is missing or empty");
  outputSize = 0;
  for (int64_t index : indexes) {
    if (index < 0)
      return ctx.fail("ngram_indexes holds a negative index " + Twine(index));
    outputSize = std::max(outputSize, index + 1);
  }

  std::map<SmallVector<int64_t>, int64_t> numbers; // n-gram -> its last number
  int64_t number = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    int64_t length = i + 1;
    int64_t begin = counts[i];
    int64_t end = i + 1 < counts.size() ? counts[i + 1] : int64_t(pool.size());
    if (begin < 0 || end < begin || end > int64_t(pool.size()))
      return ctx.fail("ngram_counts does not split the pool of " + Twine(pool.size()) +
                      " tokens");
    if ((end - begin) % length != 0)
      return ctx.fail("the " + Twine(length) + "-grams take " + Twine(end - begin) +
                      " tokens, not a multiple of " + Twine(length));
    for (int64_t at = begin; at < end; at += length, ++number) {
      if (length < minLength || length > maxLength)
        continue;
      SmallVector<int64_t> gram(pool.begin() + at, pool.begin() + at + length);
      numbers[gram] = number;
    }
  }
  if (number > int64_t(indexes.size()))
    return ctx.fail("ngram_indexes has " + Twine(indexes.size()) + " entries for " +
                    Twine(number) + " n-grams");

  SmallVector<GramSet> sets;
  for (int64_t length = minLength; length <= maxLength; ++length) {
    GramSet set;
    set.length = length;
    // Ordered by number, so the expansion follows the pool.
    std::map<int64_t, const SmallVector<int64_t> *> byNumber;
    for (const auto &[gram, n] : numbers)
      if (int64_t(gram.size()) == length)
        byNumber[n] = &gram;
    for (const auto &[n, gram] : byNumber) {
      set.tokens.push_back(*gram);
      set.columns.push_back(indexes[n]);
    }
    if (!set.tokens.empty())
      sets.push_back(std::move(set));
  }
  return sets;
}

/// How often each n-gram of `set` occurs in the rows of `x` ([B, C]) as [B, G] (float): for
/// each skip distance s, the positions p with x[p + k * s] equal to token k for every k.
/// Unigrams are counted once; longer n-grams at every distance up to `maxSkip` + 1.
Value countMatches(NodeContext &ctx, Value x, const GramSet &set, int64_t maxSkip,
                   Type floatType) {
  Expansion e(ctx);
  ArrayRef<int64_t> shape = shapeOf(x);
  int64_t rows = shape[0], width = shape[1], grams = set.tokens.size();
  Type element = getElementTypeOrSelf(x);
  auto tokenType = RankedTensorType::get({1, 1, grams}, element);
  auto countType = RankedTensorType::get({rows, grams}, floatType);
  int64_t lastSkip = set.length == 1 ? 1 : maxSkip + 1;
  Value total;
  for (int64_t skip = 1; skip <= lastSkip; ++skip) {
    int64_t positions = width - skip * (set.length - 1);
    if (positions <= 0)
      break;
    Value match;
    for (int64_t k = 0; k < set.length; ++k) {
      SmallVector<int64_t> starts{0, k * skip}, steps{1, 1};
      auto sliceType = RankedTensorType::get({rows, positions}, element);
      Value slice = positions == width
                        ? x
                        : ctx.create<graph::SliceOp>(sliceType, x, starts, steps).getResult();
      Value column = ctx.reshape(slice, {rows, positions, 1});
      SmallVector<APInt> tokens;
      for (const SmallVector<int64_t> &gram : set.tokens)
        tokens.push_back(APInt(element.getIntOrFloatBitWidth(), gram[k], /*isSigned=*/true));
      Value wanted = ctx.constant(DenseElementsAttr::get(tokenType, tokens));
      Value equal = e.compare<graph::EqualOp>(column, wanted);
      match = match ? e.apply<graph::AndOp>(match, equal) : equal;
    }
    Value ones = e.cast(match, floatType);
    Value count = ctx.create<graph::ReduceSumOp>(countType, ones, ArrayRef<int64_t>{1}, false);
    total = total ? e.apply<graph::AddOp>(total, count) : count;
  }
  return total;
}

/// Whether `token` is representable in the integer type `element`.
bool fits(int64_t token, Type element) {
  unsigned width = element.getIntOrFloatBitWidth();
  if (width >= 64)
    return true;
  if (element.isUnsignedInteger())
    return token >= 0 && token < (int64_t(1) << width);
  int64_t bound = int64_t(1) << (width - 1);
  return token >= -bound && token < bound;
}

/// TfIdfVectorizer(X [C] or [B, C] of integer tokens) -> float [O] or [B, O], O the largest
/// of ngram_indexes plus one: per row, each column's n-gram count (TF), 1 or its weight where
/// the count is positive (IDF), or the count times the weight (TFIDF).
LogicalResult importTfIdfVectorizer(NodeContext &ctx) {
  std::string mode = ctx.stringAttr("mode", "");
  if (mode != "TF" && mode != "IDF" && mode != "TFIDF")
    return ctx.fail("mode '" + mode + "' is not TF, IDF or TFIDF");
  if (ctx.hasAttr("pool_strings"))
    return ctx.fail("string pools (pool_strings) are not supported");
  int64_t minLength = ctx.intAttr("min_gram_length", 0);
  int64_t maxLength = ctx.intAttr("max_gram_length", 0);
  int64_t maxSkip = ctx.intAttr("max_skip_count", 0);
  if (minLength < 1 || maxLength < minLength || maxSkip < 0)
    return ctx.fail("needs 1 <= min_gram_length <= max_gram_length and max_skip_count >= 0");

  Value x = ctx.input(0);
  ArrayRef<int64_t> shape = shapeOf(x);
  Type element = getElementTypeOrSelf(x);
  if (!isa<IntegerType>(element) || element.isInteger(1))
    return ctx.fail("expects integer tokens");
  if (shape.size() != 1 && shape.size() != 2)
    return ctx.fail("expects tokens [C] or [B, C]");
  FailureOr<RankedTensorType> type = ctx.outputType(0);
  if (failed(type))
    return failure();
  int64_t outputSize = 0;
  FailureOr<SmallVector<GramSet>> sets = readPool(ctx, minLength, maxLength, outputSize);
  if (failed(sets))
    return failure();
  std::vector<float> weights;
  if (const onnx::AttributeProto *attr = ctx.attr("weights"))
    weights.assign(attr->floats().begin(), attr->floats().end());
  if (!weights.empty() && int64_t(weights.size()) < outputSize)
    return ctx.fail("weights has " + Twine(weights.size()) + " values for " +
                    Twine(outputSize) + " output columns");
  Type floatType = type->getElementType();
  if (!isa<FloatType>(floatType))
    return ctx.fail("expects a floating-point output");
  int64_t rows = shape.size() == 2 ? shape[0] : 1, width = shape.back();
  SmallVector<int64_t> resultShape{rows, outputSize};
  auto resultType = RankedTensorType::get(resultShape, floatType);

  // Counts of every n-gram [B, G], then summed into their columns by a 0/1 matrix [G, O].
  Expansion e(ctx);
  Value tokens = ctx.reshape(x, {rows, width});
  SmallVector<Value> counts;
  SmallVector<int64_t> columns;
  for (GramSet &set : *sets) {
    // N-grams with a token the input type cannot hold never match.
    GramSet kept;
    kept.length = set.length;
    for (auto [gram, column] : llvm::zip_equal(set.tokens, set.columns)) {
      if (!llvm::all_of(gram, [&](int64_t token) { return fits(token, element); }))
        continue;
      kept.tokens.push_back(gram);
      kept.columns.push_back(column);
    }
    if (kept.tokens.empty())
      continue;
    if (Value count = countMatches(ctx, tokens, kept, maxSkip, floatType)) {
      counts.push_back(count);
      columns.append(kept.columns);
    }
  }
  Value frequency;
  if (counts.empty()) {
    frequency = ctx.constant(resultType, SmallVector<double>(rows * outputSize, 0.0));
  } else {
    Value all = counts.front();
    if (counts.size() > 1) {
      auto allType = RankedTensorType::get({rows, int64_t(columns.size())}, floatType);
      all = ctx.create<graph::ConcatOp>(allType, counts, 1);
    }
    SmallVector<double> scatter(columns.size() * outputSize, 0.0);
    for (auto [g, column] : llvm::enumerate(columns))
      scatter[g * outputSize + column] = 1;
    auto scatterType = RankedTensorType::get({int64_t(columns.size()), outputSize}, floatType);
    Value matrix = ctx.constant(scatterType, scatter);
    frequency = ctx.create<graph::MatMulOp>(resultType, all, matrix);
  }

  Value result = frequency;
  Value weightRow;
  if (!weights.empty() && mode != "TF") {
    SmallVector<double> row(weights.begin(), weights.begin() + outputSize);
    weightRow = ctx.constant(RankedTensorType::get({1, outputSize}, floatType), row);
  }
  if (mode == "IDF") {
    Value present = e.compare<graph::GreaterOp>(frequency, e.scalar(frequency, 0));
    result = weightRow ? e.select(present, weightRow, e.scalar(frequency, 0))
                       : e.cast(present, floatType);
  } else if (mode == "TFIDF" && weightRow) {
    result = e.apply<graph::MulOp>(frequency, weightRow);
  }
  result = ctx.reshape(result, type->getShape());
  if (result.getType() != *type)
    return ctx.fail("the vectorized result does not have the inferred type");
  ctx.setOutput(0, result);
  return success();
}

} // namespace

void registerTextOps(OpTable &table) { table["TfIdfVectorizer"] = importTfIdfVectorizer; }

} // namespace dlc::onnx_frontend
