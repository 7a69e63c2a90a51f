// Importer of ONNX's Einsum, expanded into graph ops: diagonals are masked sums, and operands
// combine pairwise as batched matmuls between transposes and reshapes.
#include "frontends/onnx/Expansion.h"
#include "frontends/onnx/OpImporters.h"

#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringExtras.h"

#include <map>

using namespace mlir;

namespace dlc::onnx_frontend {
namespace {

/// A dimension label: a letter's character code, or kEllipsis + i for the i-th dimension of
/// the broadcast ("...") dimensions, counted from the left of the widest ellipsis.
using Label = int64_t;
constexpr Label kEllipsis = 1000;

/// An operand (or partial result) with one label per dimension.
struct Term {
  Value value;
  SmallVector<Label> labels;
};

/// One side of an equation as written: letters, and where "..." stands (-1 when absent).
struct Subscript {
  SmallVector<Label> letters;
  int64_t ellipsisAt = -1;
};

/// Splits `text` (without spaces) into letters and at most one "...".
FailureOr<Subscript> parseSubscript(NodeContext &ctx, StringRef text) {
  Subscript s;
  for (size_t i = 0; i < text.size();) {
    if (text.substr(i).starts_with("...")) {
      if (s.ellipsisAt >= 0)
        return ctx.fail("equation term '" + text + "' has more than one '...'");
      s.ellipsisAt = s.letters.size();
      i += 3;
    } else if (llvm::isAlpha(text[i])) {
      s.letters.push_back(Label(text[i++]));
    } else {
      return ctx.fail("equation term '" + text + "' has an unexpected character '" +
                      Twine(text[i]) + "'");
    }
  }
  return s;
}

/// The labels of a subscript whose "..." stands for `ellipsisRank` dimensions, aligned to the
/// right of the widest ellipsis (`widest` dimensions).
SmallVector<Label> expand(const Subscript &s, int64_t ellipsisRank, int64_t widest) {
  SmallVector<Label> labels;
  for (size_t i = 0; i <= s.letters.size(); ++i) {
    if (int64_t(i) == s.ellipsisAt)
      for (int64_t d = 0; d < ellipsisRank; ++d)
        labels.push_back(kEllipsis + widest - ellipsisRank + d);
    if (i < s.letters.size())
      labels.push_back(s.letters[i]);
  }
  return labels;
}

/// Builds the expansion of one Einsum node.
class EinsumBuilder {
public:
  explicit EinsumBuilder(NodeContext &ctx) : ctx(ctx), e(ctx) {}

  /// Parses the equation and binds the node's output.
  LogicalResult run();

private:
  Value transpose(Value value, ArrayRef<int64_t> perm);
  Value sum(Value value, ArrayRef<int64_t> axes);
  Value broadcastTo(Value value, ArrayRef<int64_t> shape);
  void takeDiagonals(Term &term);
  void sumOut(Term &term, const llvm::SetVector<Label> &needed);
  Term contract(Term lhs, Term rhs, const llvm::SetVector<Label> &needed);
  void permute(Term &term, ArrayRef<Label> order);

  NodeContext &ctx;
  Expansion e;
  std::map<Label, int64_t> sizes; // each label's size, broadcast over the operands
};

Value EinsumBuilder::transpose(Value value, ArrayRef<int64_t> perm) {
  if (llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())))
    return value;
  ArrayRef<int64_t> shape = shapeOf(value);
  SmallVector<int64_t> permuted;
  for (int64_t d : perm)
    permuted.push_back(shape[d]);
  auto type = RankedTensorType::get(permuted, getElementTypeOrSelf(value));
  return ctx.create<graph::TransposeOp>(type, value, perm);
}

Value EinsumBuilder::sum(Value value, ArrayRef<int64_t> axes) {
  if (axes.empty())
    return value;
  SmallVector<int64_t> kept;
  for (auto [d, size] : llvm::enumerate(shapeOf(value)))
    if (!llvm::is_contained(axes, int64_t(d)))
      kept.push_back(size);
  auto type = RankedTensorType::get(kept, getElementTypeOrSelf(value));
  return ctx.create<graph::ReduceSumOp>(type, value, axes, false);
}

Value EinsumBuilder::broadcastTo(Value value, ArrayRef<int64_t> shape) {
  if (shapeOf(value) == shape)
    return value;
  auto type = RankedTensorType::get(shape, getElementTypeOrSelf(value));
  return ctx.create<graph::BroadcastOp>(type, value);
}

/// Replaces each label repeated within the term by one dimension holding the diagonal: the
/// term times an identity mask over the two dimensions, summed over the second.
void EinsumBuilder::takeDiagonals(Term &term) {
  for (size_t first = 0; first < term.labels.size(); ++first) {
    for (size_t second = first + 1; second < term.labels.size();) {
      if (term.labels[second] != term.labels[first]) {
        ++second;
        continue;
      }
      ArrayRef<int64_t> shape = shapeOf(term.value);
      int64_t n = shape[first], rank = shape.size();
      SmallVector<int64_t> maskShape(rank, 1);
      maskShape[first] = maskShape[second] = n;
      SmallVector<double> identity(n * n, 0.0);
      for (int64_t i = 0; i < n; ++i)
        identity[i * n + i] = 1;
      auto maskType = RankedTensorType::get(maskShape, getElementTypeOrSelf(term.value));
      Value mask = ctx.constant(maskType, identity);
      Value masked = e.apply<graph::MulOp>(term.value, mask);
      term.value = sum(masked, {int64_t(second)});
      term.labels.erase(term.labels.begin() + second);
    }
  }
}

/// Sums the dimensions whose labels are not `needed`.
void EinsumBuilder::sumOut(Term &term, const llvm::SetVector<Label> &needed) {
  SmallVector<int64_t> axes;
  SmallVector<Label> kept;
  for (auto [d, label] : llvm::enumerate(term.labels)) {
    if (needed.contains(label))
      kept.push_back(label);
    else
      axes.push_back(d);
  }
  term.value = sum(term.value, axes);
  term.labels = kept;
}

/// The product of two terms, summed over the labels they share that are not `needed`:
/// lhs as [batch, M, K] times rhs as [batch, K, N], labels batch..., lhs-only..., rhs-only....
Term EinsumBuilder::contract(Term lhs, Term rhs, const llvm::SetVector<Label> &needed) {
  llvm::SetVector<Label> lhsLabels(lhs.labels.begin(), lhs.labels.end());
  llvm::SetVector<Label> rhsLabels(rhs.labels.begin(), rhs.labels.end());
  llvm::SetVector<Label> bothNeeded = needed;
  bothNeeded.insert(rhsLabels.begin(), rhsLabels.end());
  sumOut(lhs, bothNeeded);
  bothNeeded = needed;
  bothNeeded.insert(lhsLabels.begin(), lhsLabels.end());
  sumOut(rhs, bothNeeded);

  SmallVector<Label> batch, reduced, lhsOnly, rhsOnly;
  for (Label label : lhs.labels) {
    if (!llvm::is_contained(rhs.labels, label))
      lhsOnly.push_back(label);
    else if (needed.contains(label))
      batch.push_back(label);
    else
      reduced.push_back(label);
  }
  for (Label label : rhs.labels)
    if (!llvm::is_contained(lhs.labels, label))
      rhsOnly.push_back(label);

  auto product = [&](ArrayRef<Label> labels) {
    int64_t size = 1;
    for (Label label : labels)
      size *= sizes[label];
    return size;
  };
  // Arranges a term as `order` (shared labels broadcast to their full size), then as `shape`.
  auto arrange = [&](Term &term, ArrayRef<SmallVector<Label> *> groups,
                     ArrayRef<int64_t> shape) {
    SmallVector<Label> order;
    for (SmallVector<Label> *group : groups)
      order.append(*group);
    permute(term, order);
    SmallVector<int64_t> full;
    for (auto [d, label] : llvm::enumerate(term.labels)) {
      bool shared = llvm::is_contained(batch, label) || llvm::is_contained(reduced, label);
      full.push_back(shared ? sizes[label] : shapeOf(term.value)[d]);
    }
    term.value = broadcastTo(term.value, full);
    return ctx.reshape(term.value, shape);
  };
  int64_t b = product(batch), m = product(lhsOnly), k = product(reduced), n = product(rhsOnly);
  Value left = arrange(lhs, {&batch, &lhsOnly, &reduced}, {b, m, k});
  Value right = arrange(rhs, {&batch, &reduced, &rhsOnly}, {b, k, n});
  auto type = RankedTensorType::get({b, m, n}, getElementTypeOrSelf(left));
  Value result = ctx.create<graph::MatMulOp>(type, left, right);

  Term term;
  SmallVector<int64_t> shape;
  for (SmallVector<Label> *group : {&batch, &lhsOnly, &rhsOnly}) {
    for (Label label : *group) {
      term.labels.push_back(label);
      int64_t size = sizes[label];
      // A dimension only one side has keeps that side's size (1 where it broadcasts).
      if (group == &lhsOnly)
        size = shapeOf(lhs.value)[llvm::find(lhs.labels, label) - lhs.labels.begin()];
      if (group == &rhsOnly)
        size = shapeOf(rhs.value)[llvm::find(rhs.labels, label) - rhs.labels.begin()];
      shape.push_back(size);
    }
  }
  term.value = ctx.reshape(result, shape);
  return term;
}

/// Transposes the term's dimensions into `order` (a permutation of its labels).
void EinsumBuilder::permute(Term &term, ArrayRef<Label> order) {
  SmallVector<int64_t> perm;
  for (Label label : order)
    perm.push_back(llvm::find(term.labels, label) - term.labels.begin());
  term.value = transpose(term.value, perm);
  term.labels.assign(order.begin(), order.end());
}

LogicalResult EinsumBuilder::run() {
  std::string equation;
  for (char c : ctx.stringAttr("equation", ""))
    if (!llvm::isSpace(c))
      equation.push_back(c);
  if (equation.empty())
    return ctx.fail("attribute 'equation' is missing or empty");
  StringRef text(equation);
  auto [inputsText, outputText] = text.split("->");
  bool explicitOutput = text.contains("->");
  SmallVector<StringRef> inputTexts;
  inputsText.split(inputTexts, ',');
  if (int64_t(inputTexts.size()) != ctx.numInputs())
    return ctx.fail("equation '" + equation + "' has " + Twine(inputTexts.size()) +
                    " operand terms for " + Twine(ctx.numInputs()) + " inputs");

  // Parse every term and find how many dimensions each "..." stands for.
  SmallVector<Subscript> subscripts;
  SmallVector<int64_t> ellipsisRanks;
  int64_t widest = 0;
  for (auto [i, termText] : llvm::enumerate(inputTexts)) {
    FailureOr<Subscript> s = parseSubscript(ctx, termText);
    if (failed(s))
      return failure();
    int64_t rank = shapeOf(ctx.input(i)).size(), letters = s->letters.size();
    int64_t ellipsisRank = s->ellipsisAt >= 0 ? rank - letters : 0;
    if (ellipsisRank < 0 || (s->ellipsisAt < 0 && letters != rank))
      return ctx.fail("equation term '" + termText + "' does not match input " + Twine(i) +
                      " of rank " + Twine(rank));
    widest = std::max(widest, ellipsisRank);
    subscripts.push_back(*s);
    ellipsisRanks.push_back(ellipsisRank);
  }

  SmallVector<Term> terms;
  std::map<Label, int64_t> occurrences;
  for (auto [i, s] : llvm::enumerate(subscripts)) {
    Term term{ctx.input(i), expand(s, ellipsisRanks[i], widest)};
    ArrayRef<int64_t> shape = shapeOf(term.value);
    for (auto [d, label] : llvm::enumerate(term.labels)) {
      ++occurrences[label];
      auto [it, inserted] = sizes.try_emplace(label, shape[d]);
      if (inserted || it->second == shape[d] || shape[d] == 1)
        continue;
      if (it->second != 1)
        return ctx.fail("dimension '" + Twine(char(label < kEllipsis ? label : '.')) +
                        "' has sizes " + Twine(it->second) + " and " + Twine(shape[d]));
      it->second = shape[d];
    }
    terms.push_back(term);
  }

  // The output labels: as written, or the broadcast dimensions followed by the letters used
  // once, in alphabetical order.
  SmallVector<Label> output;
  if (explicitOutput) {
    FailureOr<Subscript> s = parseSubscript(ctx, outputText);
    if (failed(s))
      return failure();
    output = expand(*s, widest, widest);
    for (auto [i, label] : llvm::enumerate(output)) {
      if (!sizes.count(label))
        return ctx.fail("output label '" + Twine(char(label)) + "' is in no input term");
      if (llvm::is_contained(ArrayRef<Label>(output).take_front(i), label))
        return ctx.fail("output label '" + Twine(char(label)) + "' appears twice");
    }
  } else {
    for (int64_t d = 0; d < widest; ++d)
      output.push_back(kEllipsis + d);
    for (auto [label, count] : occurrences)
      if (label < kEllipsis && count == 1)
        output.push_back(label);
  }

  Type element = getElementTypeOrSelf(ctx.input(0));
  for (int i = 1; i < ctx.numInputs(); ++i)
    if (getElementTypeOrSelf(ctx.input(i)) != element)
      return ctx.fail("expects inputs of one element type");
  FailureOr<RankedTensorType> type = ctx.outputType(0);
  if (failed(type))
    return failure();

  // Diagonals first; then each operand is folded into the running product, keeping the labels
  // that the output or a later operand needs.
  for (Term &term : terms)
    takeDiagonals(term);
  llvm::SetVector<Label> needed(output.begin(), output.end());
  for (size_t i = 1; i < terms.size(); ++i)
    needed.insert(terms[i].labels.begin(), terms[i].labels.end());
  Term result = terms.front();
  sumOut(result, needed);
  for (size_t i = 1; i < terms.size(); ++i) {
    needed = llvm::SetVector<Label>(output.begin(), output.end());
    for (size_t j = i + 1; j < terms.size(); ++j)
      needed.insert(terms[j].labels.begin(), terms[j].labels.end());
    result = contract(result, terms[i], needed);
  }
  needed = llvm::SetVector<Label>(output.begin(), output.end());
  sumOut(result, needed);
  permute(result, output);
  // Broadcast dimensions that stayed 1 in every operand that reached the output.
  SmallVector<int64_t> outputShape;
  for (Label label : output)
    outputShape.push_back(sizes[label]);
  Value value = broadcastTo(result.value, outputShape);
  value = ctx.reshape(value, type->getShape());
  if (value.getType() != *type)
    return ctx.fail("the contracted result does not have the inferred type");
  ctx.setOutput(0, value);
  return success();
}

/// Einsum(inputs...) with its equation (explicit "->" output or implicit).
LogicalResult importEinsum(NodeContext &ctx) {
  if (ctx.numInputs() < 1)
    return ctx.fail("expects at least one input");
  return EinsumBuilder(ctx).run();
}

} // namespace

void registerEinsumOps(OpTable &table) { table["Einsum"] = importEinsum; }

} // namespace dlc::onnx_frontend
