// CPU code generation passes: they take the linalg hand-off to register-blocked vector code.
// The CPU target (targets/CPU/CpuPipeline.cpp) decides where they run.
#ifndef DLC_TARGETS_CPU_TRANSFORMS_PASSES
#define DLC_TARGETS_CPU_TRANSFORMS_PASSES

include "mlir/Pass/PassBase.td"

def LowerConvolutionsPass : Pass<"dlc-cpu-lower-convolutions", "mlir::func::FuncOp"> {
  let summary = "Computes linalg's named convolutions as Winograd, matrix products or directly";
  let description = [{
    The graph lowering leaves ungrouped convolutions as `linalg.conv_1d_ncw_fcw`,
    `linalg.conv_2d_nchw_fchw` or `linalg.conv_3d_ncdhw_fcdhw` on a padded input, accumulating
    onto the bias. This pass chooses, per convolution, the computation the CPU kernels run
    fastest, and writes it as `linalg.generic` ops that the later CPU passes vectorize:

    - Winograd (`Winograd.h`) for a 3x3, stride-1 f32 convolution with constant filters and at
      least 16 channels and filters: F(4x4, 3x3) where it has at least two vectors of tiles
      of 4x4 outputs (32 on AVX-512, 16 on AVX2), else F(2x2, 3x3) where it has that many
      tiles of 2x2: an input transform, alpha^2 batched
      products (36 or 16) with filters transformed at compile time, and an output transform
      that starts from the bias. F(4x4) takes 36 multiply-adds per 4x4 outputs and channel
      pair, F(2x2) 16 per 2x2, where a product over im2col columns takes 144 and 36.
    - Otherwise a matrix product `filter[F, C*K..] x col[N, C*K.., P]` over im2col columns
      (for a 1x1, stride-1 convolution a view of the input, no copy), its output positions P
      along the vectors:

    ```mlir
    %r = linalg.conv_2d_nchw_fchw {strides = dense<1>, dilations = dense<1>}
           ins(%x, %w : tensor<1x64x56x56xf32>, tensor<64x64x1x1xf32>) outs(%bias_init : ...)
    // becomes
    %col = tensor.collapse_shape %x [[0], [1], [2, 3]] : ... into tensor<1x64x3136xf32>
    %p = linalg.generic {(n, f, r, p): w[f, r] * col[n, r, p] -> out[n, f, p]}
           ins(%w2d, %col) outs(%bias_init_1x64x3136)
    %r = tensor.expand_shape %p [[0], [1], [2, 3]] : ... into tensor<1x64x56x56xf32>
    ```

    - The same product transposed, filters along the vectors, when the output positions are
      not a multiple of a vector and the filters fill whole panels of two vectors, and either
      the positions are fewer than 4 vectors (a 7x7 map on AVX-512, whose vectors hold `lanes` =
      16 f32: a narrow position block would otherwise be as large as the rest and mostly
      scalar) or fewer than 8 and a panel of the filters (two vectors by C*K.. rows) fits a
      quarter of `l2-bytes` (a 1x1 convolution on a 7x7 map on AVX2: the narrow block would
      read all the filters again). Its left-hand side is the columns transposed to [N, P, C*K..]
      (linalg.transpose), so that a register block's positions broadcast from rows read whole.
      It starts from zero and adds the bias after, in an elementwise op that fusion merges with
      the activation.

    - Directly, for an f32 2-D convolution with constant filters with fewer channels than a
      vector and a filter wider than 1x1 (an image's stem, whose im2col columns are KH x KW /
      s^2 times the input), or 1x1 and stride 1 on rows of at least 8 vectors: the
      `linalg.generic` of `DirectConvolution.h` over the input's rows split into the phases of
      the width's stride (a copy for s > 1, a view for s = 1), padded on the right for whole
      vectors of positions, which dlc-cpu-vectorize-direct-convolutions computes in register
      blocks that read the input in place.

    The init of the convolution (a fill, or the bias broadcast along the filters) is rebuilt in
    the shape each computation accumulates in; any other init is reshaped to it. Each choice is
    recorded, with its reason, in the function's `dlc.strategies` (`targets::kStrategiesAttr`),
    which `dlc compile --stats` prints, with the convolution's shape key and candidates
    (`winograd-f4x4`, `winograd-f2x2`, `product`, `transposed-product`, `direct`: what `dlc
    tune` measures). Where the function's `dlc.tuning` (`targets::kTuningAttr`, from `dlc compile
    --tuning`) maps the key to one of its candidates, that strategy replaces the rules' choice.

    Grouped convolutions stay the graph lowering's direct window loop (a `linalg.generic` over
    (n, g, f, c, kh, kw, oh, ow)), which dlc-cpu-vectorize-windows computes, except depthwise
    ones of int8 or bf16 operands with constant filters: they become the depthwise product of
    `DotConvolution.h`, which reads the input rows in place with the taps grouped along the
    filter's width (the input padded on the right for the last group's zero taps):

    ```mlir
    // (n, c, oh, ow, kh, kq, j): out[n, c, oh, ow] += w[c, kh, kq, j] *
    //                            x[n, c, oh s + kh d, ow s + (kq g + j) d]
    %p = linalg.generic ins(%x_padded, %w_c_kh_kq_g) outs(%init_nchw)
    ```

    Preconditions: static shapes and tensor semantics (the graph lowering's output).
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect",
                           "mlir::arith::ArithDialect"];
  let options = [
    Option<"lanes", "lanes", "int64_t", /*default=*/"16",
           "fp32 lanes of the target's vector registers (16: AVX-512, 8: AVX2)">,
    Option<"l2Bytes", "l2-bytes", "int64_t", /*default=*/"1048576",
           "One core's L2 cache, which decides whether a product's reduction is cut into "
           "chunks">,
  ];
}

def VectorizeContractionsPass : Pass<"dlc-cpu-vectorize-contractions", "mlir::func::FuncOp"> {
  let summary = "Tiles matrix products into register blocks and vectorizes each block";
  let description = [{
    A contraction (matmul, batched matmul: `linalg.generic` ops that
    `linalg::inferContractionDims` recognizes) with static shapes is tiled so that one tile is an
    `MR x NR` block of the result (`MR` rows of the lhs, `NR` contiguous columns of the rhs), the
    reduction dimension is tiled by 1 inside it, and that innermost tile is vectorized:

    ```
    for n in 0..N step NR, m in 0..M step MR:      // one register block of C
      acc = C[m:m+MR, n:n+NR]                      // carried in registers through k
      for k in 0..K:                               // C[MR x NR] += A[MR x 1] * B[1 x NR]
        vector<MRx1xNR> a = broadcast(A[m:m+MR, k]); b = broadcast(B[k, n:n+NR])
        acc += a * b
      C[m:m+MR, n:n+NR] = acc
    ```

    Column blocks go outside row blocks when there are at least 4 of them, so one rhs panel
    stays in cache for every row block; otherwise rows go outside, giving the outer loop (which
    runs on threads) more iterations. The accumulator is hoisted out of the k loop on tensors,
    so each step is MR x NR/L fused multiply-adds, L the `lanes` of a vector register (16 on
    AVX-512, 8 on AVX2; the CPU target passes its description's, CpuDescription.h).

    NR is 2L when it divides N, L when N is L or 2L + L does not apply, or N itself when
    N < L. A larger N that 2L does not divide is first split into the columns 2L divides and
    the rest (784 = 768 + 16 on AVX-512: 8x32 blocks load one vector per 8 FMAs' worth of
    broadcasts, 8x16 blocks twice as many), each vectorized on its own. A consumer is split at
    the same column, so each part still applies it to its blocks.
    MR is the first of 8, 7, 6, 4, 2, 1 that divides M (7: the 49 positions of a 7x7 map) and
    is at most `block-rows` (8 with AVX-512's 32 registers; 6 with AVX2's 16, where 6 x 2
    accumulators, two panel vectors and a broadcast fill 15 of them). Where only a block of at
    most half that height divides M (64 rows on AVX2) and the rhs is computed, not a packed
    constant (a convolution's columns), and fits in half of `l3-bytes`, M is split like N: the
    bulk in blocks of full height, the rest (a multiple of 4 where it can be) apart, with the
    consumer split alongside (64 = 60 + 4).

    A part with fewer than L columns (196 positions = 192 + 4) is computed as dot products
    instead, when L divides K and 4 divides M: its rhs columns are transposed into rows
    (N x K elements), the reduction becomes the innermost loop, and blocks of 4 rows (2 on
    AVX2) x N columns carry 4 x N vectors of partial sums over L consecutive k, added up once
    per block (`vector.multi_reduction`). As a register block, 4 columns cost one broadcast per
    row and step for 4 multiply-adds, as much per step as 16 or 32 columns. A consumer split
    with the product stays a separate op over those few columns.

    A result indexed `[.., N, M]` (a product computed with its operands exchanged, such as the
    transposed convolution product of 7x7 maps) gets the same blocks; its accumulator block is
    read and written through a transposing map, once per block, outside the k loop.

    A product of one or two rows (a matrix-vector product) whose rhs is packed in panels
    (`[.., N/NR, K, NR]`) gets blocks that span several panels, up to 8 accumulators: one
    panel's block holds 2, and an FMA's latency needs about 8 in flight.

    A long reduction is cut into chunks of kc steps (kc dividing K, at least 64); the chunk
    loop runs outermost and carries the result, and inside it the block loops run as above,
    over kc steps. What must stay in cache depends on the block order. With column blocks
    outside, each panel's slice and the lhs slice (M x kc) it meets must stay in L2: the
    reduction is chunked when its rhs panel (K x NR) exceeds a quarter of `l2-bytes` or its
    lhs all of it, kc the largest whose slices (kc x (NR + M)) fit half of it (a whole panel
    would evict the lhs that the next block reads again). With row blocks outside, every row
    block reads the whole rhs: it is chunked when the rhs (K x N) exceeds half of `l2-bytes`
    or the lhs all of it, kc the largest whose rhs slice and row block (kc x (N + MR)) fit
    3/4 of `l1-bytes` (ResNet-50's 3x3 convolutions on 7x7 maps, K = 4608: 96; its 1x1
    convolutions from 2048 channels: 64, 1.24x faster than unchunked on a Zen 3). There the
    whole product is chunked before it is split at its columns and rows, so that the
    remainders run inside each chunk on the lhs slice the bulk has just read (split first,
    the 49th position of a 1x1 convolution to 2048 channels on 7x7 was computed from 4 MiB of
    filters in L3). A consumer of a chunked product is not fused into its blocks: it runs
    once, over the finished result.

    Preconditions: static shapes; the innermost N dimension is the result's innermost
    dimension, or the one before it with the innermost M dimension after it. Other
    contractions are left to the loop lowering.
  }];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::vector::VectorDialect",
                           "mlir::tensor::TensorDialect"];
  let options = [
    Option<"lanes", "lanes", "int64_t", /*default=*/"16",
           "fp32 lanes of the target's vector registers (16: AVX-512, 8: AVX2)">,
    Option<"blockRows", "block-rows", "int64_t", /*default=*/"8",
           "The most rows of a register block (CpuDescription.h: productBlock)">,
    Option<"l1Bytes", "l1-bytes", "int64_t", /*default=*/"49152",
           "One core's L1 data cache, which a chunk's slice is sized for when row blocks run "
           "outermost">,
    Option<"l2Bytes", "l2-bytes", "int64_t", /*default=*/"1048576",
           "One core's L2 cache, which a long reduction's chunks are sized for">,
    Option<"l3Bytes", "l3-bytes", "int64_t", /*default=*/"33554432",
           "The L3 cache one core reaches, from which a product split along its rows reads "
           "the right-hand side again">,
  ];
}

def VectorizeDotContractionsPass
    : Pass<"dlc-cpu-vectorize-dot-contractions", "mlir::func::FuncOp"> {
  let summary = "Computes int8 and bf16 matrix products with the CPU's dot product instructions";
  let description = [{
    A contraction `out[b.., m, n] += widen(lhs[b.., m, k]) * widen(rhs[k, n])` whose rhs is a
    constant matrix becomes register blocks of a dot product
    instruction, which multiplies a group of g narrow elements per 32-bit lane and adds the g
    products to the lane:

    - int8 (or uint8 lhs) by int8, summed in int32 (the integer product of MatMulInteger and
      QLinearMatMul): AVX512-VNNI `vpdpbusd`, g = 4 (unsigned bytes by signed ones), 64
      multiply-adds per instruction where an fp32 FMA does 16;
    - bf16 by bf16, summed in f32 (a product compiled with `--precision=bf16`):
      AVX512-BF16 `vdpbf16ps` (`x86vector.avx512.dot`), g = 2.

    The rhs is packed at compile time into panels of NR = 32 columns (16 when 32 does not
    divide N), each `[ceil(K/g)][NR][g]` elements, K padded with zeros: one 64-byte row holds
    g consecutive k of 16 columns. A block of MR x NR results (MR the first of 8, 6, 4, 2, 1
    that divides M) carries MR x NR/16 accumulators through the reduction:

    ```
    for panel in 0..N/NR, m in 0..M step MR:
      acc[i][j] = init (or the fill's value)             // MR x NR/16 vectors of 16 lanes
      for q in 0..K/g:
        w[j] = packed[panel, q, 16 g j : 16 g]           // 16 columns x g k
        for i: a = broadcast(lhs[m + i, g q : g] as one 32-bit lane)
               acc[i][j] = dot(acc[i][j], a, w[j])
      out[m + i, panel * NR + 16 j : 16] = acc[i][j]
    ```

    A K that g does not divide ends with one group read with zero padding; an N that 16 does
    not divide ends with a panel padded with zero weights, whose loads and stores are masked.
    Signed (int8) activations are read as unsigned after adding 128 (flipping the top bit); the
    blocks then start from -128 times each weight column's sum, computed at compile time, which
    undoes it.
    A product whose init is a `linalg.fill` starts from the fill's value. The product's only
    user, when it is an all-parallel elementwise op over the result's shape that reads the
    result as it is written and its other inputs along the columns or broadcast (bias,
    activation, the scaling and requantization of a QDQ model), is computed on the registers
    before the one store. vpdpbusd is an LLVM
    intrinsic call: `x86vector` has AVX-VNNI-INT8's signed x signed dot product, not
    AVX512-VNNI's.

    The CPU target sets `vnni` and `bf16` to whether its CPU has the instruction (bf16: and it
    outruns fp32 FMA there); products of a kind it lacks are left to the generic loop lowering.
  }];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::vector::VectorDialect",
                           "mlir::LLVM::LLVMDialect", "mlir::arith::ArithDialect",
                           "mlir::x86vector::X86VectorDialect"];
  let options = [
    Option<"vnni", "vnni", "bool", /*default=*/"true",
           "The CPU has AVX512-VNNI: int8 products run on vpdpbusd">,
    Option<"bf16", "bf16", "bool", /*default=*/"true",
           "The CPU computes bf16 products faster than fp32: they run on vdpbf16ps">,
  ];
}

def TileContractionsPass : Pass<"dlc-cpu-tile-contractions", "mlir::func::FuncOp"> {
  let summary = "Computes bf16 and int8 products and convolutions on AMX tiles";
  let description = [{
    A product `out[b.., m, n] += widen(lhs[b.., m, k]) * widen(rhs[k, n])` of bf16 operands
    summed in f32 or 8-bit integers summed in int32, the rhs a constant matrix, becomes blocks
    of AMX tile operations (the `amx` dialect): `tdpbf16ps` multiplies a tile of up to 16 rows
    x 32 bf16 of the lhs by a tile of 16 pairs of rows x 16 columns of weights into 16 x 16 f32
    sums; `tdpb[su][su]d` (by the operands' signs, no correction needed) 64 bytes by 16 quads.
    A tile takes the most rows, up to 16, that divide M (at least 8), N must be whole tiles of
    16 columns, and a reduction step is the longest run of whole groups, up to 64 bytes, that
    divides K (at least 32 bytes: K = 96 of int8 is two steps of 48).

    The weights are packed at compile time into the VNNI tile layout, `[N/16][K/32][16][32]`:
    row r of tile (j, t) holds, for each of the 16 columns from 16 j, the pair of k = 32 t +
    2 r and 32 t + 2 r + 1, so a whole tile is 1 KiB contiguous and consecutive k tiles of a
    column tile follow each other. The lhs is read in place by tile loads (its rows are
    contiguous; outer dimensions are collapsed into rows). A block of 2 x 2 accumulator tiles
    (32 x 32 results; 1 x 2, 2 x 1 or 1 x 1 where 32 does not divide M or N) keeps its sums in
    tile registers through the whole reduction, each started by one `tile_zero`:

    ```
    for panel in 0..N/32, m in 0..M step 32:
      acc[i][j] = tile_zero                                  // 4 of the 8 tile registers
      for t in 0..K/32:
        a[i] = tile_load lhs[m + 16 i, 32 t]                 // 16 x 32 bf16
        w[j] = tile_load packed[2 panel + j, t]              // 16 x (16 x 2) bf16
        acc[i][j] = tile_mulf a[i], w[j], acc[i][j]
      tile_store scratch[16 i, 16 j], acc[i][j]              // 4 KiB on the stack, in L1
      for r in 0..32: out[m + r, 32 panel : 32] = epilogue(init + scratch[r])
    ```

    The product's start (a fill's value, or the init tensor) and its elementwise consumer
    (bias, activation, residual add, the conversion to bf16 of the next product's input) are
    applied to the block's rows, read back from the scratch block while it is in L1, before
    their one store. Products that do not fit the tiles are left to
    `dlc-cpu-vectorize-dot-contractions` (AVX-512), and `--stats` says why. The lhs and the
    packed weights reach the tile loads through `bufferization.to_buffer` (read-only), the
    loops carry the result tensor as the AVX-512 kernels do.
  }];
  let dependentDialects = ["mlir::amx::AMXDialect", "mlir::bufferization::BufferizationDialect",
                           "mlir::memref::MemRefDialect", "mlir::scf::SCFDialect",
                           "mlir::vector::VectorDialect", "mlir::tensor::TensorDialect"];
}

def EmulateAmxPass : Pass<"dlc-cpu-emulate-amx", "mlir::func::FuncOp"> {
  let summary = "Replaces AMX tile operations by AVX-512 vector code with their semantics";
  let description = [{
    For testing the AMX kernels on CPUs without AMX: every `amx` op becomes vector code that
    computes what the instruction computes, and tiles become 2-D vectors (`!amx.tile<16x32xbf16>`
    is `vector<16x32xbf16>`; loops that carry tiles carry the vectors).

    - `tile_zero`: a zero vector; `tile_load` / `tile_store`: vector transfers of the rows.
    - `tile_mulf` (`tdpbf16ps`) follows the Intel SDM's definition: for each row m and column
      n, two f32 partial sums, one of the even and one of the odd elements of the pairs, start
      at zero and take one fused multiply-add per pair in k order; then the destination gets
      `dst + (even + odd)`. Every step rounds to nearest even, bf16 inputs and the destination
      are read with denormals as zero and every result has its denormals flushed to zero (the
      instruction ignores MXCSR).
    - `tile_muli` (`tdpb[su][su]d`): for each row m, column n and group of 4 bytes, the 4
      products of the (sign- or zero-extended) bytes added to the int32 destination,
      wrapping.

    Not part of any target's pipeline: `dlc compile --emulate-amx` (hidden) runs it after
    `dlc-cpu-tile-contractions`, and the library then needs no AMX.
  }];
  let dependentDialects = ["mlir::vector::VectorDialect", "mlir::arith::ArithDialect",
                           "mlir::math::MathDialect"];
}

def LegalizeTileLoopsPass : Pass<"dlc-cpu-legalize-tile-loops", "mlir::ModuleOp"> {
  let summary = "Gives loops that carry AMX tiles LLVM's x86_amx type";
  let description = [{
    `convert-vector-to-llvm` with AMX converts the tile operations but not the `scf` loops that
    carry tiles from one reduction step to the next, which the control-flow lowering cannot
    type. This pass converts the loops' arguments and results to `!llvm.x86_amx` (with casts
    that the final reconciliation removes), so each accumulator tile stays in one tile
    register across the loop. Run before `convert-scf-to-cf`.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

def VectorizeDotConvolutionsPass
    : Pass<"dlc-cpu-vectorize-dot-convolutions", "mlir::func::FuncOp"> {
  let summary = "Computes int8 and bf16 convolutions with the CPU's dot product instructions";
  let description = [{
    dlc-cpu-lower-convolutions writes a 2-D convolution of int8 or bf16 operands as a packing of
    its input columns and a product over them (`DotConvolution.h`): each 32-bit lane holds a
    group of g reduction elements, g = 4 int8 channels for AVX512-VNNI's `vpdpbusd`, g = 2 bf16
    channels for AVX512-BF16's `vdpbf16ps`. This pass writes both as vector code:

    ```
    // packing: col[n, cq, kh, kw, oh, ow, j] = input[n, cq g + j, oh s + kh d, ow s + kw d]
    for n, cq, kh, kw, oh, ow0 in 0..OW step 16:
      r[j] = input[n, cq g + j, oh s + kh d, ow0 s + kw d : 16 lanes, stride s]   j < g
      col[n, cq, kh, kw, oh, ow0 : 16, :] = interleave(r)                    // one store
    // product: out[n, f, p] = sum over q, j of w[f, q, j] * col[n, q, p, j]
    for n, p0 in 0..P step 32, f0 in 0..F step MR:
      acc[i][v] = init (int8: -128 * sum of filter f0 + i, see below)     // MR x 2 vectors
      for q in 0..Q:
        c[v] = col[n, q, p0 + 16 v : 16, :]                      // 16 positions x g
        for i: acc[i][v] = dot(acc[i][v], c[v], broadcast(w[f0 + i, q, :] as one lane))
      out[n, f0 + i, p0 + 16 v : 16] = epilogue(acc[i][v])
    ```

    The filters are broadcast, the positions run along the vectors, so the result stays NCHW
    and needs no transpose. MR is the first of 8, 6, 4, 2, 1 that divides F; a position block
    covers 32 positions (16 when fewer), and the last, shorter one masks its reads and writes,
    as does the packing at the end of a row. Position blocks are the outer loop: a block's
    columns stay in L1 while every filter block reads them.

    int8 activations (the importer gives quantized convolutions signed inputs) are read as
    unsigned after flipping their top bit (adding 128), and the blocks start from -128 times
    each filter's sum, computed at compile time. The product's elementwise consumer (scale,
    bias, activation, requantization, a residual add) runs on the registers before the one
    store, as in dlc-cpu-vectorize-dot-contractions.

    A depthwise product (one channel's taps, grouped along the filter's width) reads the input
    rows in place: register blocks of up to 8 vectors of 16 positions along an output row (of
    several output rows where a row has fewer vectors, so the input rows they share are read
    once), and per kernel row and group one read of the row's span and one shuffle that places
    each lane's g taps (`vpermb` for int8, `vpermw` for bf16), flipped for `vpdpbusd` as above,
    then one dot product with the channel's broadcast group; its elementwise consumer runs on
    the registers before the store.

    The CPU target sets `vnni` and `bf16` as for dlc-cpu-vectorize-dot-contractions;
    convolutions of a kind it lacks are left to the generic loop lowering.
  }];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::vector::VectorDialect",
                           "mlir::LLVM::LLVMDialect", "mlir::arith::ArithDialect",
                           "mlir::x86vector::X86VectorDialect", "mlir::tensor::TensorDialect"];
  let options = [
    Option<"vnni", "vnni", "bool", /*default=*/"true",
           "The CPU has AVX512-VNNI: int8 convolutions run on vpdpbusd">,
    Option<"bf16", "bf16", "bool", /*default=*/"true",
           "The CPU computes bf16 products faster than fp32: bf16 convolutions run on vdpbf16ps">,
  ];
}

def VectorizeDirectConvolutionsPass
    : Pass<"dlc-cpu-vectorize-direct-convolutions", "mlir::func::FuncOp"> {
  let summary = "Computes direct f32 convolutions in register blocks, the input read in place";
  let description = [{
    dlc-cpu-lower-convolutions writes an f32 2-D convolution it computes directly as the
    `linalg.generic` of `DirectConvolution.h`
    (`out[n, f, oh, ow] += input[n, c, oh sh + kh dh, ow s + kw d] * w[f, c, kh, kw]` over the
    input's rows split into the s phases of the stride, padded on the right for whole vectors).
    This pass writes it as register blocks of `MR`
    filters (`block-rows`) by two vectors of output positions, broadcasting the filters and
    reading the positions from the input rows in place, so no im2col columns are built:

    ```
    for n, oh, ow0 in 0..OW step 2L, f0 in 0..F step MR:    // positions outside (see below)
      acc[i][v] = init[n, f0 + i, oh, ow0 + v L : L]          // or the fill, or the bias
      for c in 0..C, kh, kw (unrolled):                       // q = kw d: phase, column offset
        x[v] = phases[n, c, oh sh + kh dh, q mod s, ow0 + v L + q floordiv s : L]
        acc[i][v] += broadcast(w'[f0, c, kh, kw, i]) * x[v]   // MR x 2 fused multiply-adds
      out[n, f0 + i, oh, ow0 + v L : L] = epilogue(acc[i][v])
    ```

    The width's stride s reads consecutive elements of one of the input rows' s phases (see
    DirectConvolution.h; dlc-cpu-lower-convolutions splits them). A row of at most
    one vector (a 7x7 map) gives blocks of two rows of one vector; the last vector of a row may
    reach past it, and its lanes there are not written. The filters are reordered at compile
    time so that a step's `MR` broadcasts are adjacent (`w'`, blocks of `MR`, the last of what
    remains). Where all filters fit half of `l2-bytes` every position block reads them
    (positions outside, the input rows of a block stay in L1); larger filters are read once, a
    block of filters at a time, and every position block inside reads the input again.

    The op that computes the initial value (a `linalg.fill`, or an elementwise generic used
    only here, the bias broadcast) and an elementwise consumer (batch norm, an activation, a
    residual add) run on the registers, so the result is written once.

    Preconditions: static shapes, f32 operands and constant filters.
  }];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::vector::VectorDialect",
                           "mlir::tensor::TensorDialect", "mlir::arith::ArithDialect"];
  let options = [
    Option<"lanes", "lanes", "int64_t", /*default=*/"16",
           "fp32 lanes of the target's vector registers (16: AVX-512, 8: AVX2)">,
    Option<"blockRows", "block-rows", "int64_t", /*default=*/"8",
           "The most filters of a register block (CpuDescription.h: productBlock)">,
    Option<"l2Bytes", "l2-bytes", "int64_t", /*default=*/"1048576",
           "One core's L2 cache, which decides whether the filters or the positions are the "
           "outer loop">,
  ];
}

def VectorizeTransposedConvolutionsPass
    : Pass<"dlc-cpu-vectorize-transposed-convolutions", "mlir::func::FuncOp"> {
  let summary = "Computes transposed direct f32 convolutions: filters along the vectors, each "
                "input element broadcast, blocks transposed in registers";
  let description = [{
    dlc-cpu-lower-convolutions writes an f32 2-D convolution it computes as a transposed
    direct convolution as the named convolution's own `linalg.generic` over the padded input
    (`out[n, f, oh, ow] += input[n, c, oh sh + kh dh, ow sw + kw dw] * w[f, c, kh, kw]`, see
    DirectConvolution.h). This pass writes it as register blocks of `P` consecutive output
    positions of a row by `G` vectors of filters, each input element broadcast from where it
    lies, so neither the input nor the filters are copied at run time:

    ```
    for n, oh, ow0 in 0..OW step P, f0 in 0..F step G L:     // positions outside (see below)
      acc[p][g] = 0
      for c in 0..C, kh, kw (unrolled):
        w[g] = w'[f0, c, kh, kw, g L : L]                      // G vector loads
        x = broadcast(input[n, c, oh sh + kh dh, (ow0 + p) sw + kw dw])
        acc[p][g] += x * w[g]                                  // P x G fused multiply-adds
      for g: col = transpose(acc[0..P][g])                     // L vectors of P positions
        out[n, f0 + g L + j, oh, ow0 : P] = epilogue(start + col[j])
    ```

    On AVX-512 a block is 14 positions by 2 vectors (28 accumulators of the 32 registers; a
    row that 14 does not divide takes a divisor from 8 to 14 where it has one, a 7x7 map 7
    positions by 4 vectors), on AVX2 12 accumulators. Each step loads G filter vectors and
    broadcasts P input elements for P x G multiply-adds, so the FMA units, not the loads,
    bound it. The filters are reordered at compile time so that a step's G vectors are
    adjacent (`w'`, groups of G L filters). A block's accumulators hold the filters along
    the lanes; each vector of them is transposed with log2(L) stages of two-source shuffles
    (64 for a 16 x 16 block) into vectors of positions, which the start (the fill, the bias
    broadcast or the init), the elementwise consumer (batch norm, an activation, a residual
    add) and the one store of P lanes apply to in the result's own NCHW layout. Where the
    input rows the convolution reads fit half of `l2-bytes`, the filter groups are the outer
    loop (the filters stream once, the input is read again from L2 by each group); otherwise
    the positions are (each block meets all the filters).

    Preconditions: static shapes, f32 operands, constant filters, filters a multiple of L.
  }];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::vector::VectorDialect",
                           "mlir::tensor::TensorDialect", "mlir::arith::ArithDialect"];
  let options = [
    Option<"lanes", "lanes", "int64_t", /*default=*/"16",
           "fp32 lanes of the target's vector registers (16: AVX-512, 8: AVX2)">,
    Option<"l2Bytes", "l2-bytes", "int64_t", /*default=*/"1048576",
           "One core's L2 cache, which decides whether the filters or the positions are the "
           "outer loop">,
  ];
}

def VectorizeWindowsPass : Pass<"dlc-cpu-vectorize-windows", "mlir::func::FuncOp"> {
  let summary = "Vectorizes sliding-window ops along the result's innermost dimension";
  let description = [{
    A window op is a `linalg.generic` with reductions (depthwise or grouped convolution,
    pooling, a reduction over outer dimensions) whose result's innermost dimension `w` indexes
    each input only through that input's innermost dimension, as `w * s + ...`, or not at all.
    It becomes loops over the other result dimensions, vectors of 16 consecutive results along
    `w` (one shorter vector for the rest), and the reduction unrolled inside (looped when it has
    more than 64 steps). Per vector, an input indexed by `w` is one contiguous read (every s-th
    lane picked by a shuffle when s > 1), any other input one broadcast element:

    ```
    out[c, h, w] += x[c, h*2 + kh, w*2 + kw] * f[c, kh, kw]        // depthwise, stride 2
    // becomes, per (c, h) and w0 = 0, 16, ...:
    acc = bias[c] broadcast                                         // the init's producer
    acc += shuffle(x[c, h*2 + kh, w0*2 + kw : 31], even lanes) * broadcast(f[c, kh, kw])  // x 9
    y[c, h, w0 : 16] = min(max(acc, 0), 6)                          // the result's consumer
    ```

    The op that computes the initial value (a `linalg.fill`, or an all-parallel elementwise
    `linalg.generic` used only here, e.g. a bias broadcast) and an all-parallel elementwise
    generic that is the result's only user (an activation, an average pool's division) are
    computed on the same vectors, so the result is written once. An unrolled reduction is
    spread over 3 partial results combined at the end, so its steps do not wait on each other.

    An input that is a `tensor.pad` with a constant value (possibly reshaped) is read from the
    unpadded source: loops are split into border and interior parts, interior reads are plain,
    border reads substitute the padding value (a shuffle puts padding lanes in front, a masked
    read supplies those past the end, a row outside is all padding; a masked gather only where
    the offset is not known at compile time). The padded tensor is never built. Short result
    dimensions that shift the columns read (an im2col's kernel column) are unrolled inside each
    vector step, so those offsets are known.

    The same loops serve two more kinds of op: elementwise ops (no reduction; math on vectors
    is then approximated by `dlc-cpu-approximate-vector-math`), and reductions along the
    inputs' innermost dimension (softmax and layer normalization statistics), which accumulate
    16 lanes at a time and combine the lanes at the end of each row.

    Preconditions: static shapes, integer or float elements of at least 8 bits (vectors of i1
    would be stored as bits), at least 4 results along the vector dimension, a body of
    elementwise arith/math ops (a row reduction: one associative combining op); a stage's inputs
    are indexed by projected permutations in which the innermost loop indexes only their
    innermost dimension. Contractions are left to `dlc-cpu-vectorize-contractions`; transposes
    (an input read along an outer dimension) are left to the loop lowering.
  }];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::vector::VectorDialect",
                           "mlir::tensor::TensorDialect", "mlir::affine::AffineDialect",
                           "mlir::arith::ArithDialect"];
}

def VectorizeWinogradPass : Pass<"dlc-cpu-vectorize-winograd", "mlir::func::FuncOp"> {
  let summary = "Vectorizes the input and output transforms of Winograd convolutions";
  let description = [{
    A 3x3, stride-1 convolution with constant filters is lowered as Winograd F(2x2, 3x3) or
    F(4x4, 3x3) (`Winograd.h`, built by dlc-cpu-lower-convolutions): an input transform,
    batched matrix products, an output transform. As generic reductions the transforms would
    multiply by every entry of their matrices; here they become vector loops over `lanes` tiles
    (16 by default: one zmm register, two ymm ones) at a time that apply B^T and A^T as
    additions and subtractions (F(2x2)'s entries are 0, 1, -1) and fused multiply-adds
    (F(4x4)'s 2, 4, 5, 8). For F(2x2):

    ```
    // input transform, per (c, n, ty) and 16 tiles tx0..tx0+15:
    d[p][q] = x[n, c, 2ty + p - pad, 2(tx0 : 16) + q - pad]     // every 2nd column, x 16
    V[a, b, c, n, ty, tx0 : 16] = (B^T d B)[a][b]                 // 48 adds/subs for 16
    // output transform, per (f, n, ty) and 16 tiles:
    o[i][j] = bias[f] + (A^T M[.., f, n, ty, tx0 : 16] A)[i][j]   // then the activation
    y[n, f, 2ty + i, 2tx0 : 32] = interleave(o[i][0], o[i][1])
    ```

    F(4x4) reads 6x6 tiles 4 apart (every fourth column) and interleaves four outputs per
    tile row into rows of 64.

    The input is read from the unpadded source of its `tensor.pad` (rows outside the input and
    border columns supplied as padding, as `dlc-cpu-vectorize-windows` does), so the padded
    input is never built. An elementwise op that is the output transform's only user and reads
    nothing else (a ReLU) is applied to the same vectors. The loops over channels and filters
    run on threads (`dlc-cpu-parallelize-block-loops`).

    Preconditions: the transforms exactly as the convolution lowering builds them (their
    indexing maps, the constant B^T and A^T, the body `acc + x * s * t`), static shapes, the
    input transform starting from zero and the output transform from a fill or a bias
    broadcast along the filters. Others are left to the other passes.
  }];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::vector::VectorDialect",
                           "mlir::tensor::TensorDialect", "mlir::arith::ArithDialect"];
  let options = [
    Option<"lanes", "lanes", "int64_t", /*default=*/"16",
           "fp32 lanes of the target's vector registers (16: AVX-512, 8: AVX2)">,
  ];
}

def ApproximateVectorMathPass : Pass<"dlc-cpu-approximate-vector-math", "mlir::func::FuncOp"> {
  let summary = "Replaces transcendental math on vectors by polynomial approximations";
  let description = [{
    Vectorized kernels apply activations such as GELU (`erf`), sigmoid and softmax (`exp`) and
    tanh to whole registers. Lowered as is, each such op becomes one libm call per lane, which
    costs more than the product it follows. Vector `math.erf`, `math.exp`, `math.expm1`,
    `math.tanh`, `math.log`, `math.log1p` and `math.log2` on f32 are rewritten into MLIR's
    polynomial approximations (range reduction, a polynomial or rational function, arithmetic
    only), accurate to a few units in the last place:

    ```mlir
    %y = math.erf %x : vector<8x32xf32>
    // becomes
    %y = ... arith.mulf / math.fma / arith.select on vector<8x32xf32> ...
    ```

    Preconditions: none; scalar math ops are left to libm, which is more accurate and, in scalar
    code, no slower.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::math::MathDialect",
                           "mlir::vector::VectorDialect"];
}

def VectorizeCopiesPass : Pass<"dlc-cpu-vectorize-copies", "mlir::func::FuncOp"> {
  let summary = "Moves the rows of copies between strided views as whole vectors";
  let description = [{
    A copy into or out of a strided view (a padded input's interior, a slice) is a
    `linalg.copy` on memrefs. Lowered to scalar loops, its source and destination are views of
    the same workspace, which LLVM cannot tell apart: it does not vectorize the row loop, and a
    row of 56 bytes becomes 56 byte loads and stores. Here each row moves as vectors of up to
    256 bytes, read before they are written (a copy's operands do not overlap), the last one
    masked where the row is not a whole number of them:

    ```mlir
    linalg.copy ins(%x : memref<2x56xi8, strided<[56, 1]>>)
                outs(%y : memref<2x56xi8, strided<[58, 1], offset: ?>>)
    // becomes
    scf.for %i = %c0 to %c2 step %c1 {
      %row = vector.transfer_read %x[%i, %c0], %pad {in_bounds = [true]} : ..., vector<56xi8>
      vector.transfer_write %row, %y[%i, %c0] {in_bounds = [true]} : vector<56xi8>, ...
    }
    ```

    Rows of bf16 or f16 move in vectors of a power of two (LLVM's instruction selection
    aborts on a vector of 34 bf16), the rest masked.

    Preconditions: static shapes, the same on both sides, and a unit stride along the last
    dimension of each (other copies stay as they are).
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::scf::SCFDialect",
                           "mlir::vector::VectorDialect"];
}

def RoundingConversionsPass : Pass<"dlc-cpu-rounding-conversions", "mlir::func::FuncOp"> {
  let summary = "Converts rounded, clamped vectors to integers with one rounding conversion";
  let description = [{
    A quantization's last steps in a kernel's epilogue round to the nearest even integer,
    clamp to the storage range and convert, truncating, to integers: `vrndscaleps`, two
    bounds, `vcvttps2dq`. Rounding commutes with a clamp to integral bounds, and AVX-512's
    `vcvtps2dq` rounds as it converts (to nearest even, given in the instruction, whatever
    MXCSR holds), so the rounding instruction is left out:

    ```mlir
    %r = math.roundeven %x : vector<16xf32>
    %c = arith.maximumf %r, %lo fastmath<nnan,nsz> : vector<16xf32>
    %v = arith.minimumf %c, %hi fastmath<nnan,nsz> : vector<16xf32>
    %q = arith.fptosi %v : vector<16xf32> to vector<16xi8>
    // becomes
    %c = arith.maximumf %x, %lo fastmath<nnan,nsz> : vector<16xf32>   // %lo > INT8_MIN
    %v = arith.minimumf %c, %hi fastmath<nnan,nsz> : vector<16xf32>
    %i = llvm.call_intrinsic "llvm.x86.avx512.mask.cvtps2dq.512"(%v, %zero, %all, %rn) ...
    %q = arith.trunci %i : vector<16xi32> to vector<16xi8>
    ```

    To 8 bits, the narrowing saturates instead (`vpmovsdb`, `vpmovusdb`), and it takes the
    place of the bound at the type's limit on the side where an out-of-range conversion lands
    (`vcvtps2dq` gives INT_MIN): a signed result's -128, an unsigned one's 255 (INT_MIN read
    as unsigned is 2^31). One clamp instruction fewer per 16 results, in every epilogue that
    stores int8 (QDQ ResNet-50 1.9% faster, outputs bit-identical).

    f32 rounded to bf16 (`arith.truncf`) on a scalar, or on a vector of fewer than 4 lanes or
    a number of lanes that is not a power of two (a bf16 product's input written by the
    transposed tail of the product before it; the 2 elements left of a row of 34), has no
    x86 instruction that LLVM's instruction selection takes, and it aborts on them; they are
    rounded on the integer bits (to nearest even, a NaN kept quiet). Other vectors keep
    `vcvtneps2bf16`.

    Preconditions: the target has AVX-512 F (the CPU pipeline adds the pass only then);
    16-lane f32 vectors (the instruction's rounding operand exists at 512 bits only); bounds
    within the integer type (and int32), so the truncation of the 32-bit result is exact.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect", "mlir::arith::ArithDialect"];
}

def PackConstantOperandsPass : Pass<"dlc-cpu-pack-constant-operands", "mlir::func::FuncOp"> {
  let summary = "Packs constant right-hand sides of matrix products into column panels";
  let description = [{
    A contraction whose right-hand side is a constant `[..., K, N]` reads a row of NR columns
    at each step of k; consecutive rows are N elements apart, so for large N every step touches
    a new page and, when N is a multiple of 1024, the same cache sets. The constant is repacked
    at compile time into panels `[..., N/NR, K, NR]`, so the columns one register block needs
    are contiguous, and the product iterates the split column dimension (nb, nl):

    ```
    C[m, n] += A[m, k] * B[k, n]
    // becomes, with Bp[nb, k, nl] = B[k, nb * NR + nl] computed by dlc
    Cv[m, nb, nl] += A[m, k] * Bp[nb, k, nl]        // Cv is C viewed as [M, N/NR, NR]
    ```

    Where NR does not divide N, the last panel is padded with zero columns, the product runs
    on its initial value padded to the panels' width (`tensor.pad`), and the result is the
    slice of its first N columns (a padded column costs its FMAs; unpacked, the 1000 columns
    of MobileNetV2's classifier put every step of its one-row product on a new page).

    Preconditions: the right-hand side is an `arith.constant` whose innermost dimension is the
    result's innermost (column) dimension, or its second-innermost when the result's innermost
    is the row dimension (a transposed result, split where the columns stand:
    `[.., N/NR, NR, M]`), and N > NR (`panel`: 32 on AVX-512, 16 on AVX2).
  }];
  let dependentDialects = ["mlir::tensor::TensorDialect", "mlir::arith::ArithDialect"];
  let options = [
    Option<"panel", "panel", "int64_t", /*default=*/"32",
           "Columns per panel: the register block's width (two vectors)">,
  ];
}

def HoistVectorTransfersPass : Pass<"dlc-cpu-hoist-vector-transfers", "mlir::func::FuncOp"> {
  let summary = "Moves loop-invariant vector reads/writes of accumulators out of loops";
  let description = [{
    After bufferization, a vectorized reduction loop reads and writes the same accumulator
    block in every iteration. Where the indices are loop-invariant and nothing else in the loop
    touches that memory, the read moves before the loop and the write after it, and the value
    is carried in registers:

    ```
    scf.for %k { %c = vector.transfer_read %C; ...; vector.transfer_write %d, %C }
    // becomes
    %c0 = vector.transfer_read %C
    %c = scf.for %k iter_args(%acc = %c0) { ...; scf.yield %d }
    vector.transfer_write %c, %C
    ```
  }];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::vector::VectorDialect"];
}

def PrefetchPanelsPass : Pass<"dlc-cpu-prefetch-panels", "mlir::func::FuncOp"> {
  let summary = "Prefetches the next rhs panel of a product while the current one is read";
  let description = [{
    A packed constant rhs (`[.., N/NR, K, NR]`, from `dlc-cpu-pack-constant-operands`) is read
    one panel (K x NR) at a time: the first register block of the panel streams it from
    memory, every later block of the same panel finds it in cache. Weights of batch-1 models
    come from DRAM, and one block reads a row (NR floats) per NR/16 x MR FMAs, faster than
    DRAM delivers it; the other blocks read no new memory at all. So the k loop of every
    block prefetches rows of the next panel, dealt out over the R blocks of the panel, R
    steps per row:

    ```
    for r in 0..R:                              // row blocks reading panel p
      for k in 0..kc:
        prefetch Bp[min(p + 1, P - 1), k0 + (r * kc + k) / R, 0 .. NR]   // one per cache line
        acc += A[.., k0 + k] * Bp[p, k0 + k, :]
    ```

    The next panel then arrives at an even rate over the whole time the current one is used,
    and its first block reads it from cache (ResNet-50 37.5 -> 34.3 ms, BERT-base 114 -> 104 ms,
    the MLP 16.6 -> 13.2 ms, 1 thread). A k loop without an enclosing row-block loop prefetches
    its own row of the next panel; a read that spans several panels (the blocks of a one-row
    product) prefetches as many panels after them. With more than 32 row blocks per panel
    nothing is prefetched: the first block's read is then a small part of the panel's time, the
    hardware prefetcher keeps up, and the prefetches only take load slots (a 4096x1024x4096
    product ran at 80% of peak with them, 86% without).

    Preconditions: after bufferization and `fold-memref-alias-ops`, so that the reads address
    the packed global directly: a `vector.transfer_read` of a static global of rank >= 3 inside
    an `scf.for` in which the panel index is fixed and the row index moves.
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect", "mlir::arith::ArithDialect"];
}

def ParallelizeBlockLoopsPass : Pass<"dlc-cpu-parallelize-block-loops", "mlir::ModuleOp"> {
  let summary = "Runs the outer loop over register blocks on the runtime's thread pool";
  let description = [{
    The outermost loop of a tiled product iterates over independent blocks of the result (each
    iteration writes its own columns), so its iterations can run on several threads. The loop is
    outlined into a task function taking the graph function's arguments and a range of
    iterations, and replaced by a call to a dispatch function:

    ```mlir
    scf.for %j = %c0 to %c768 step %c32 { ...uses %arg0, %ws... }
    // becomes
    func.call @NAME_graph_dispatch0(%arg0, ..., %ws, %c24) : (...) -> ()
    func.func private @NAME_graph_task0(%arg0, ..., %ws, %begin: index, %end: index) {
      scf.for %t = %begin to %end step %c1 { %j = %t * 32; ...cloned body... }
    }
    func.func private @NAME_graph_dispatch0(...)   // defined by code generation: packs the
                                                   // arguments and calls dlc_rt_parallel_for
    ```

    Large structured ops left as loops (elementwise chains, reductions, gathers, pooling,
    depthwise convolutions: at least 2^15 iterations) are first split along their outermost
    parallel dimension into up to 32 pieces, and that loop is parallelized the same way.

    A loop runs in parallel only when every write in it addresses memory through its induction
    variable (iterations write apart). A top-level loop that does not, such as the loop over
    the chunks of a long reduction (every chunk accumulates into the same blocks), stays
    sequential, and the block loops directly inside it are dispatched once per iteration.

    Values the body uses from outside are re-created inside the task from the function's
    arguments (views of the workspace, constants, globals); index values of an enclosing loop
    (the chunk's offset) are passed after the function's arguments.

    Preconditions: runs after memory planning, on top-level `scf.for` loops without results that
    contain vector code (the block loops of `dlc-cpu-vectorize-contractions`), the loops
    directly inside a sequential one, and top-level structured ops on buffers; a loop whose
    body uses any other value defined outside it is left alone.
  }];
  let dependentDialects = ["mlir::func::FuncDialect", "mlir::scf::SCFDialect",
                           "mlir::arith::ArithDialect"];
}

def AlignEpiloguesPass : Pass<"dlc-cpu-align-epilogues", "mlir::func::FuncOp"> {
  let summary = "Moves reshapes between a reduction and its elementwise consumer after the consumer";
  let description = [{
    Convolutions lowered to products compute `[N, F, H*W]` and reshape it to `[N, F, H, W]`;
    packed products compute `[M, N/32, 32]`; grouped convolutions `[N, G, F/G, H, W]`. The
    activation or residual add that follows iterates over the reshaped result, so it cannot run
    on the product's register blocks. This pass reshapes the consumer instead (collapsing or
    expanding its loops, and reshaping its other operands alike) and moves the reshape after it:

    ```mlir
    %p = linalg.generic {.., reduction, ..} -> tensor<1x64x3136xf32>     // conv as a product
    %e = tensor.expand_shape %p [[0], [1], [2, 3]] : ... into tensor<1x64x56x56xf32>
    %r = linalg.generic {parallel x4} ins(%e, %skip : tensor<1x64x56x56xf32>, ...) { addf; maximumf }
    // becomes
    %c = tensor.collapse_shape %skip [[0], [1], [2, 3]] : ... into tensor<1x64x3136xf32>
    %r = linalg.generic {parallel x3} ins(%p, %c : tensor<1x64x3136xf32>, ...) { addf; maximumf }
    %e = tensor.expand_shape %r [[0], [1], [2, 3]] : ... into tensor<1x64x56x56xf32>
    ```

    Preconditions: the consumer is an all-parallel `linalg.generic`, and the reshape and the
    reduction each have that one use (otherwise the reduction's result is needed in its own
    shape anyway, and moving the reshape gains nothing).
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect"];
}

#endif // DLC_TARGETS_CPU_TRANSFORMS_PASSES
