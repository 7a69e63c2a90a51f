// Importers of ONNX's recurrent layers RNN, GRU and LSTM: the sequence (of static length) is
// unrolled at compile time into per-step matmuls against the transposed weights and gate math.
#include "frontends/onnx/Expansion.h"
#include "frontends/onnx/OpImporters.h"
#include "frontends/onnx/Tensors.h"

#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;

namespace dlc::onnx_frontend {
namespace {

enum class Cell { Rnn, Gru, Lstm };

/// Gates stacked in W and R: RNN one, GRU three (z, r, h), LSTM four (i, o, f, c).
int64_t gateCount(Cell cell) { return cell == Cell::Rnn ? 1 : cell == Cell::Gru ? 3 : 4; }

/// Activation functions per direction: RNN f; GRU f, g; LSTM f, g, h.
ArrayRef<StringRef> defaultActivations(Cell cell) {
  static const StringRef rnn[] = {"Tanh"}, gru[] = {"Sigmoid", "Tanh"},
                         lstm[] = {"Sigmoid", "Tanh", "Tanh"};
  if (cell == Cell::Rnn)
    return rnn;
  return cell == Cell::Gru ? ArrayRef<StringRef>(gru) : ArrayRef<StringRef>(lstm);
}

/// One activation function of a cell, with the alpha and beta it uses.
struct Activation {
  std::string name; // lower case
  double alpha = 0, beta = 0;
};

/// The weights of one direction, transposed for `x @ W^T`, and its initial state.
struct DirectionWeights {
  Value wT;          // [I, G*H]
  Value rT;          // [H, G*H]; for a GRU without linear_before_reset only z and r: [H, 2H]
  Value rhT;         // GRU without linear_before_reset: [H, H], applied to r * H
  Value inputBias;   // [G*H] added to x @ W^T (Wb + Rb, or Wb where Rb is applied apart), or null
  Value hiddenBias;  // [G*H] added to H @ R^T (GRU with linear_before_reset: Rb), or null
  Value pi, po, pf;  // LSTM peepholes [H], or null
  Value h0, c0;      // [batch, H]
};

/// Builds the unrolled recurrence of one RNN, GRU or LSTM node.
class Unroller {
public:
  Unroller(NodeContext &ctx, Cell cell) : ctx(ctx), e(ctx), cell(cell), gates(gateCount(cell)) {}

  /// Checks the attributes and operands, unrolls every direction and binds the outputs.
  LogicalResult run();

private:
  LogicalResult readShapes();
  LogicalResult readActivations();
  LogicalResult checkSequenceLengths();
  FailureOr<Activation> parseActivation(StringRef name, ArrayRef<float> &alphas,
                                        ArrayRef<float> &betas);
  LogicalResult checkShape(int input, StringRef what, ArrayRef<int64_t> expected);
  DirectionWeights readWeights(int64_t d);
  Value step(const DirectionWeights &w, ArrayRef<Activation> acts, Value x, Value h, Value &c);
  LogicalResult bindOutputs(ArrayRef<SmallVector<Value>> hs, ArrayRef<Value> lastH,
                            ArrayRef<Value> lastC);

  Value slice(Value value, ArrayRef<int64_t> starts, ArrayRef<int64_t> sizes);
  Value columns(Value matrix, int64_t gate, int64_t count = 1);
  Value vector(int input, int64_t d, int64_t offset, int64_t size);
  Value transposedMatrix(int input, int64_t d, int64_t row, int64_t rows);
  Value state(int input, int64_t d);
  Value matmul(Value lhs, Value rhs);
  Value concat(ArrayRef<Value> parts, int64_t axis);
  Value gate(Value x, const Activation &act);
  Value activate(Value x, const Activation &act);
  Value add(Value lhs, Value rhs) { return rhs ? e.apply<graph::AddOp>(lhs, rhs) : lhs; }
  Value mul(Value lhs, Value rhs) { return e.apply<graph::MulOp>(lhs, rhs); }

  NodeContext &ctx;
  Expansion e;
  Cell cell;
  int64_t gates;
  int64_t seqLength = 0, batch = 0, inputSize = 0, hidden = 0, directions = 1;
  bool batchFirst = false; // layout = 1: X [batch, seq, I], Y [batch, seq, D, H]
  bool reverseOnly = false; // direction = reverse: the one direction runs from the end
  bool linearBeforeReset = false, inputForget = false;
  std::optional<double> clip;
  Type element;
  SmallVector<SmallVector<Activation>> activations; // per direction
};

/// The block of `sizes` at `starts`; `value` itself when that is all of it.
Value Unroller::slice(Value value, ArrayRef<int64_t> starts, ArrayRef<int64_t> sizes) {
  if (shapeOf(value) == sizes)
    return value;
  auto type = RankedTensorType::get(sizes, element);
  SmallVector<int64_t> steps(sizes.size(), 1);
  return ctx.create<graph::SliceOp>(type, value, starts, steps);
}

/// Columns [gate * H, (gate + count) * H) of a [batch, n * H] matrix.
Value Unroller::columns(Value matrix, int64_t gate, int64_t count) {
  return slice(matrix, {0, gate * hidden}, {shapeOf(matrix)[0], count * hidden});
}

/// Elements [offset, offset + size) of row `d` of a [D, n] operand (B or P), as a vector.
Value Unroller::vector(int input, int64_t d, int64_t offset, int64_t size) {
  return ctx.reshape(slice(ctx.input(input), {d, offset}, {1, size}), {size});
}

/// Rows [row, row + rows) of direction `d` of a [D, G*H, K] weight, transposed to [K, rows].
/// With constant weights the slice and transpose fold at compile time.
Value Unroller::transposedMatrix(int input, int64_t d, int64_t row, int64_t rows) {
  Value weight = ctx.input(input);
  int64_t k = shapeOf(weight)[2];
  Value matrix = ctx.reshape(slice(weight, {d, row, 0}, {1, rows, k}), {rows, k});
  return ctx.create<graph::TransposeOp>(RankedTensorType::get({k, rows}, element), matrix,
                                        ArrayRef<int64_t>{1, 0});
}

/// Direction `d` of initial_h or initial_c as [batch, H]; zeros when the operand is absent.
Value Unroller::state(int input, int64_t d) {
  auto type = RankedTensorType::get({batch, hidden}, element);
  if (!ctx.hasInput(input))
    return ctx.constant(DenseElementsAttr::get(type, FloatAttr::get(element, 0.0)));
  Value value = ctx.input(input);
  if (batchFirst)
    return ctx.reshape(slice(value, {0, d, 0}, {batch, 1, hidden}), {batch, hidden});
  return ctx.reshape(slice(value, {d, 0, 0}, {1, batch, hidden}), {batch, hidden});
}

Value Unroller::matmul(Value lhs, Value rhs) {
  auto type = RankedTensorType::get({shapeOf(lhs)[0], shapeOf(rhs)[1]}, element);
  return ctx.create<graph::MatMulOp>(type, lhs, rhs);
}

Value Unroller::concat(ArrayRef<Value> parts, int64_t axis) {
  if (parts.size() == 1)
    return parts.front();
  SmallVector<int64_t> shape(shapeOf(parts.front()));
  shape[axis] = 0;
  for (Value part : parts)
    shape[axis] += shapeOf(part)[axis];
  return ctx.create<graph::ConcatOp>(RankedTensorType::get(shape, element), parts, axis);
}

/// A gate: the activation of its input, clipped to [-clip, clip] first when `clip` is set.
Value Unroller::gate(Value x, const Activation &act) {
  return activate(clip ? e.clip(x, -*clip, *clip) : x, act);
}

Value Unroller::activate(Value x, const Activation &act) {
  const std::string &name = act.name;
  if (name == "sigmoid")
    return e.apply<graph::SigmoidOp>(x);
  if (name == "tanh")
    return e.apply<graph::TanhOp>(x);
  if (name == "relu")
    return e.apply<graph::ReluOp>(x);
  if (name == "affine")
    return e.apply<graph::AddOp>(e.apply<graph::MulOp>(x, act.alpha), act.beta);
  if (name == "leakyrelu")
    return e.leakyRelu(x, act.alpha);
  if (name == "thresholdedrelu")
    return e.thresholdedRelu(x, act.alpha);
  if (name == "scaledtanh")
    return e.apply<graph::MulOp>(e.apply<graph::TanhOp>(e.apply<graph::MulOp>(x, act.beta)),
                                 act.alpha);
  if (name == "hardsigmoid")
    return e.hardSigmoid(x, act.alpha, act.beta);
  if (name == "elu")
    return e.elu(x, act.alpha);
  if (name == "softsign")
    return e.softsign(x);
  assert(name == "softplus" && "activation names are checked when they are read");
  return e.softplus(x);
}

/// Reads one activation name; alpha and beta come from the front of `alphas` and `betas` for the
/// functions that take them (as onnxruntime consumes them), else the ONNX operator's defaults.
FailureOr<Activation> Unroller::parseActivation(StringRef name, ArrayRef<float> &alphas,
                                                ArrayRef<float> &betas) {
  struct Known {
    const char *name;
    bool usesAlpha, usesBeta;
    std::optional<double> alpha, beta; // defaults; none: the value must be given
  };
  static const Known known[] = {
      {"sigmoid", false, false, 0.0, 0.0},     {"tanh", false, false, 0.0, 0.0},
      {"relu", false, false, 0.0, 0.0},        {"affine", true, true, {}, {}},
      {"leakyrelu", true, false, 0.01, 0.0},   {"thresholdedrelu", true, false, 1.0, 0.0},
      {"scaledtanh", true, true, {}, {}},      {"hardsigmoid", true, true, 0.2, 0.5},
      {"elu", true, false, 1.0, 0.0},          {"softsign", false, false, 0.0, 0.0},
      {"softplus", false, false, 0.0, 0.0}};
  std::string lower = name.lower();
  const Known *entry = llvm::find_if(known, [&](const Known &k) { return lower == k.name; });
  if (entry == std::end(known))
    return ctx.fail("activation '" + name + "' is not one of Relu, Tanh, Sigmoid, Affine, "
                    "LeakyRelu, ThresholdedRelu, ScaledTanh, HardSigmoid, Elu, Softsign, "
                    "Softplus");
  Activation act{lower};
  auto take = [&](bool uses, ArrayRef<float> &values, std::optional<double> fallback,
                  const char *what, double &out) -> LogicalResult {
    if (!uses)
      return success();
    if (!values.empty()) {
      out = values.front();
      values = values.drop_front();
      return success();
    }
    if (!fallback)
      return ctx.fail("activation '" + name + "' needs a value in " + what);
    out = *fallback;
    return success();
  };
  if (failed(take(entry->usesAlpha, alphas, entry->alpha, "activation_alpha", act.alpha)) ||
      failed(take(entry->usesBeta, betas, entry->beta, "activation_beta", act.beta)))
    return failure();
  return act;
}

/// The activations of each direction: `activations` lists them for the forward direction, then
/// for the reverse one; a bidirectional node that lists one direction's uses them for both.
LogicalResult Unroller::readActivations() {
  int64_t perDirection = defaultActivations(cell).size();
  SmallVector<std::string> names;
  if (const onnx::AttributeProto *attr = ctx.attr("activations"))
    names.assign(attr->strings().begin(), attr->strings().end());
  if (names.empty())
    for (int64_t d = 0; d < directions; ++d)
      for (StringRef name : defaultActivations(cell))
        names.push_back(name.str());
  if (int64_t(names.size()) == perDirection && directions == 2)
    names.append(SmallVector<std::string>(names));
  if (int64_t(names.size()) != perDirection * directions)
    return ctx.fail("activations has " + Twine(names.size()) + " names, expected " +
                    Twine(perDirection * directions) + " (" + Twine(perDirection) +
                    " per direction)");
  auto floats = [&](const char *attrName) {
    SmallVector<float> values;
    if (const onnx::AttributeProto *attr = ctx.attr(attrName))
      values.assign(attr->floats().begin(), attr->floats().end());
    return values;
  };
  SmallVector<float> alphaValues = floats("activation_alpha");
  SmallVector<float> betaValues = floats("activation_beta");
  ArrayRef<float> alphas(alphaValues), betas(betaValues);
  activations.resize(directions);
  for (auto [i, name] : llvm::enumerate(names)) {
    FailureOr<Activation> act = parseActivation(name, alphas, betas);
    if (failed(act))
      return failure();
    activations[i / perDirection].push_back(*act);
  }
  return success();
}

LogicalResult Unroller::checkShape(int input, StringRef what, ArrayRef<int64_t> expected) {
  if (!ctx.hasInput(input))
    return success();
  Value value = ctx.input(input);
  if (getElementTypeOrSelf(value) != element)
    return ctx.fail("operand '" + what + "' has a different element type than X");
  if (shapeOf(value) == expected)
    return success();
  auto list = [](ArrayRef<int64_t> shape) {
    return "[" + llvm::join(llvm::map_range(shape, [](int64_t d) { return std::to_string(d); }),
                            ", ") + "]";
  };
  return ctx.fail("operand '" + what + "' has shape " + list(shapeOf(value)) + ", expected " +
                  list(expected));
}

LogicalResult Unroller::readShapes() {
  if (!ctx.hasInput(0) || !ctx.hasInput(1) || !ctx.hasInput(2))
    return ctx.fail("expects the operands X, W and R");
  Value x = ctx.input(0);
  ArrayRef<int64_t> xShape = shapeOf(x);
  element = getElementTypeOrSelf(x);
  if (!isa<FloatType>(element))
    return ctx.fail("expects a floating-point input X");
  if (xShape.size() != 3)
    return ctx.fail("expects X of rank 3, got rank " + Twine(xShape.size()));
  batchFirst = ctx.opset() >= 14 && ctx.intAttr("layout", 0) != 0;
  seqLength = xShape[batchFirst ? 1 : 0];
  batch = xShape[batchFirst ? 0 : 1];
  inputSize = xShape[2];

  std::string direction = ctx.stringAttr("direction", "forward");
  if (direction != "forward" && direction != "reverse" && direction != "bidirectional")
    return ctx.fail("direction must be forward, reverse or bidirectional, got '" + direction +
                    "'");
  directions = direction == "bidirectional" ? 2 : 1;
  reverseOnly = direction == "reverse";

  ArrayRef<int64_t> rShape = shapeOf(ctx.input(2));
  if (rShape.size() != 3)
    return ctx.fail("expects R of rank 3, got rank " + Twine(rShape.size()));
  hidden = ctx.intAttr("hidden_size", rShape[2]);
  if (hidden <= 0)
    return ctx.fail("hidden_size must be positive, got " + Twine(hidden));
  if (seqLength <= 0)
    return ctx.fail("the sequence is empty");

  SmallVector<int64_t> stateShape =
      batchFirst ? SmallVector<int64_t>{batch, directions, hidden}
                 : SmallVector<int64_t>{directions, batch, hidden};
  int64_t gh = gates * hidden;
  if (failed(checkShape(1, "W", {directions, gh, inputSize})) ||
      failed(checkShape(2, "R", {directions, gh, hidden})) ||
      failed(checkShape(3, "B", {directions, 2 * gh})) ||
      failed(checkShape(5, "initial_h", stateShape)))
    return failure();
  if (cell == Cell::Lstm && (failed(checkShape(6, "initial_c", stateShape)) ||
                             failed(checkShape(7, "P", {directions, 3 * hidden}))))
    return failure();

  if (ctx.hasAttr("clip")) {
    double threshold = ctx.floatAttr("clip", 0);
    if (!(threshold > 0))
      return ctx.fail("clip must be positive, got " + std::to_string(threshold));
    clip = threshold;
  }
  linearBeforeReset = cell == Cell::Gru && ctx.intAttr("linear_before_reset", 0) != 0;
  inputForget = cell == Cell::Lstm && ctx.intAttr("input_forget", 0) != 0;
  return success();
}

/// sequence_lens may only restate that every sequence has the full length.
LogicalResult Unroller::checkSequenceLengths() {
  if (!ctx.hasInput(4))
    return success();
  std::optional<DenseElementsAttr> lengths = ctx.constantInput(4);
  if (!lengths)
    return ctx.fail("variable sequence lengths are not supported: sequence_lens must be a "
                    "constant whose entries all equal seq_length (" + Twine(seqLength) + ")");
  if (!isa<IntegerType>(lengths->getElementType()) || lengths->getNumElements() != batch)
    return ctx.fail("sequence_lens must hold " + Twine(batch) + " integers");
  for (int64_t length : attrToInts(*lengths))
    if (length != seqLength)
      return ctx.fail("variable sequence lengths are not supported: sequence_lens holds " +
                      Twine(length) + ", and only seq_length (" + Twine(seqLength) +
                      ") is supported");
  return success();
}

DirectionWeights Unroller::readWeights(int64_t d) {
  DirectionWeights w;
  int64_t gh = gates * hidden;
  w.wT = transposedMatrix(1, d, 0, gh);
  bool hasBias = ctx.hasInput(3);
  if (cell == Cell::Gru && !linearBeforeReset) {
    // h~ = g(x Wh^T + (r * H) Rh^T + Wbh + Rbh): R splits into its z, r rows and its h rows.
    w.rT = transposedMatrix(2, d, 0, 2 * hidden);
    w.rhT = transposedMatrix(2, d, 2 * hidden, hidden);
  } else {
    w.rT = transposedMatrix(2, d, 0, gh);
  }
  if (hasBias) {
    Value wb = vector(3, d, 0, gh), rb = vector(3, d, gh, gh);
    if (linearBeforeReset) {
      // h~ = g(x Wh^T + Wbh + r * (H Rh^T + Rbh)): Rb stays with H R^T.
      w.inputBias = wb;
      w.hiddenBias = rb;
    } else {
      w.inputBias = add(wb, rb);
    }
  }
  if (cell == Cell::Lstm && ctx.hasInput(7)) {
    w.pi = vector(7, d, 0, hidden);
    w.po = vector(7, d, hidden, hidden);
    w.pf = vector(7, d, 2 * hidden, hidden);
  }
  w.h0 = state(5, d);
  if (cell == Cell::Lstm)
    w.c0 = state(6, d);
  return w;
}

/// One time step of the cell on x [batch, I] and the previous state; returns the new hidden state
/// and, for an LSTM, updates the cell state `c`.
Value Unroller::step(const DirectionWeights &w, ArrayRef<Activation> acts, Value x, Value h,
                     Value &c) {
  Value xw = add(matmul(x, w.wT), w.inputBias);
  Value hr = add(matmul(h, w.rT), w.hiddenBias);
  if (cell == Cell::Rnn) {
    // Ht = f(Xt W^T + Ht-1 R^T + Wb + Rb)
    return gate(add(xw, hr), acts[0]);
  }
  if (cell == Cell::Gru) {
    Value one = e.scalar(h, 1.0);
    if (!linearBeforeReset) {
      Value zr = add(columns(xw, 0, 2), hr);
      Value z = gate(columns(zr, 0), acts[0]);
      Value r = gate(columns(zr, 1), acts[0]);
      Value candidate = gate(add(columns(xw, 2), matmul(mul(r, h), w.rhT)), acts[1]);
      // Ht = (1 - z) * h~ + z * Ht-1
      return add(mul(e.apply<graph::SubOp>(one, z), candidate), mul(z, h));
    }
    Value z = gate(add(columns(xw, 0), columns(hr, 0)), acts[0]);
    Value r = gate(add(columns(xw, 1), columns(hr, 1)), acts[0]);
    Value candidate = gate(add(columns(xw, 2), mul(r, columns(hr, 2))), acts[1]);
    return add(mul(e.apply<graph::SubOp>(one, z), candidate), mul(z, h));
  }
  // LSTM, gates i, o, f, c: it = f(.. + Pi * Ct-1), ft = f(.. + Pf * Ct-1), ct = g(..),
  // Ct = ft * Ct-1 + it * ct, ot = f(.. + Po * Ct), Ht = ot * h(Ct).
  Value g = add(xw, hr);
  Value iIn = columns(g, 0), oIn = columns(g, 1), fIn = columns(g, 2), cIn = columns(g, 3);
  if (w.pi) {
    iIn = add(iIn, mul(c, w.pi));
    fIn = add(fIn, mul(c, w.pf));
  }
  Value i = gate(iIn, acts[0]);
  // input_forget couples the gates: ft = 1 - it.
  Value f = inputForget ? e.apply<graph::SubOp>(e.scalar(i, 1.0), i) : gate(fIn, acts[0]);
  Value candidate = gate(cIn, acts[1]);
  c = add(mul(f, c), mul(i, candidate));
  if (w.po)
    oIn = add(oIn, mul(c, w.po));
  Value o = gate(oIn, acts[0]);
  // The cell state is not clipped (as in onnxruntime): only the gates' inputs are.
  return mul(o, activate(c, acts[2]));
}

LogicalResult Unroller::bindOutputs(ArrayRef<SmallVector<Value>> hs, ArrayRef<Value> lastH,
                                    ArrayRef<Value> lastC) {
  auto bind = [&](int i, Value value) -> LogicalResult {
    if (i >= ctx.node().output_size() || ctx.node().output(i).empty())
      return success();
    FailureOr<RankedTensorType> type = ctx.outputType(i);
    if (failed(type))
      return failure();
    if (*type != value.getType())
      return ctx.fail("output " + Twine(i) + " does not have the inferred type");
    ctx.setOutput(i, value);
    return success();
  };
  // Y: [seq, D, batch, H], or [batch, seq, D, H] with layout 1.
  if (ctx.node().output_size() > 0 && !ctx.node().output(0).empty()) {
    int64_t timeAxis = batchFirst ? 1 : 0, directionAxis = batchFirst ? 2 : 1;
    SmallVector<int64_t> block = batchFirst ? SmallVector<int64_t>{batch, 1, 1, hidden}
                                            : SmallVector<int64_t>{1, 1, batch, hidden};
    SmallVector<Value> steps;
    for (int64_t t = 0; t < seqLength; ++t) {
      SmallVector<Value> perDirection;
      for (int64_t d = 0; d < directions; ++d)
        perDirection.push_back(ctx.reshape(hs[d][t], block));
      steps.push_back(concat(perDirection, directionAxis));
    }
    if (failed(bind(0, concat(steps, timeAxis))))
      return failure();
  }
  // Y_h, Y_c: [D, batch, H], or [batch, D, H] with layout 1.
  auto last = [&](ArrayRef<Value> states) {
    SmallVector<int64_t> block = batchFirst ? SmallVector<int64_t>{batch, 1, hidden}
                                            : SmallVector<int64_t>{1, batch, hidden};
    SmallVector<Value> parts;
    for (Value state : states)
      parts.push_back(ctx.reshape(state, block));
    return concat(parts, batchFirst ? 1 : 0);
  };
  if (failed(bind(1, last(lastH))))
    return failure();
  if (cell == Cell::Lstm && failed(bind(2, last(lastC))))
    return failure();
  return success();
}

LogicalResult Unroller::run() {
  if (failed(readShapes()) || failed(readActivations()) || failed(checkSequenceLengths()))
    return failure();
  Value x = ctx.input(0);
  SmallVector<SmallVector<Value>> hs(directions, SmallVector<Value>(seqLength));
  SmallVector<Value> lastH, lastC;
  for (int64_t d = 0; d < directions; ++d) {
    bool reverse = d == 1 || reverseOnly;
    DirectionWeights w = readWeights(d);
    Value h = w.h0, c = w.c0;
    for (int64_t n = 0; n < seqLength; ++n) {
      int64_t t = reverse ? seqLength - 1 - n : n;
      Value xt = batchFirst ? slice(x, {0, t, 0}, {batch, 1, inputSize})
                            : slice(x, {t, 0, 0}, {1, batch, inputSize});
      h = step(w, activations[d], ctx.reshape(xt, {batch, inputSize}), h, c);
      hs[d][t] = h;
    }
    lastH.push_back(h);
    lastC.push_back(c);
  }
  return bindOutputs(hs, lastH, lastC);
}

template <Cell cell> LogicalResult importRecurrent(NodeContext &ctx) {
  return Unroller(ctx, cell).run();
}

} // namespace

void registerRecurrentOps(OpTable &table) {
  table["RNN"] = importRecurrent<Cell::Rnn>;
  table["GRU"] = importRecurrent<Cell::Gru>;
  table["LSTM"] = importRecurrent<Cell::Lstm>;
}

} // namespace dlc::onnx_frontend
