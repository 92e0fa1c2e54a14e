;; The greedy argmax of the llama-cpp engine (src/engines/llama-cpp/argmax.ts simdArgmax), in WebAssembly text.
;; tools/write-argmax-wasm.ts compiles it (wabt) into argmax-wasm.ts; test/unit/argmax.test.ts checks the two agree.
;; The memory holds the logits row at offset 0; the caller grows it for a larger vocabulary.
(module
  (memory (export "memory") 3)
  ;; The index of the first largest of n f32 at offset 0 (n >= 1, x[0] not NaN; a NaN never wins):
  ;; llama.cpp's greedy pick (argmax.ts greedyArgmax) with 128-bit SIMD. Pass 1 takes the largest value with
  ;; f32x4.pmax (b > a ? b : a: an accumulator stays put on NaN), pass 2 the first index equal to it.
  (func (export "argmax") (param $n i32) (result i32)
    (local $i i32) (local $end16 i32) (local $p i32)
    (local $a v128) (local $b v128) (local $c v128) (local $d v128) (local $vm v128)
    (local $m f32) (local $v f32)
    (local.set $a (f32x4.splat (f32.load (i32.const 0))))
    (local.set $b (local.get $a)) (local.set $c (local.get $a)) (local.set $d (local.get $a))
    (local.set $end16 (i32.and (local.get $n) (i32.const -16)))
    (local.set $i (i32.const 0))
    ;; pass 1: the largest value, 16 at a time in four accumulators (pmax keeps the accumulator on NaN)
    (block $d1 (loop $l1
      (br_if $d1 (i32.ge_u (local.get $i) (local.get $end16)))
      (local.set $p (i32.shl (local.get $i) (i32.const 2)))
      (local.set $a (f32x4.pmax (local.get $a) (v128.load offset=0 (local.get $p))))
      (local.set $b (f32x4.pmax (local.get $b) (v128.load offset=16 (local.get $p))))
      (local.set $c (f32x4.pmax (local.get $c) (v128.load offset=32 (local.get $p))))
      (local.set $d (f32x4.pmax (local.get $d) (v128.load offset=48 (local.get $p))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $l1)))
    (local.set $a (f32x4.pmax (f32x4.pmax (local.get $a) (local.get $b)) (f32x4.pmax (local.get $c) (local.get $d))))
    (local.set $m (f32x4.extract_lane 0 (local.get $a)))
    (if (f32.gt (f32x4.extract_lane 1 (local.get $a)) (local.get $m)) (then (local.set $m (f32x4.extract_lane 1 (local.get $a)))))
    (if (f32.gt (f32x4.extract_lane 2 (local.get $a)) (local.get $m)) (then (local.set $m (f32x4.extract_lane 2 (local.get $a)))))
    (if (f32.gt (f32x4.extract_lane 3 (local.get $a)) (local.get $m)) (then (local.set $m (f32x4.extract_lane 3 (local.get $a)))))
    (block $d2 (loop $l2
      (br_if $d2 (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $v (f32.load (i32.shl (local.get $i) (i32.const 2))))
      (if (f32.gt (local.get $v) (local.get $m)) (then (local.set $m (local.get $v))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l2)))
    ;; pass 2: the first index holding it, 16 at a time, then 4, then one
    (local.set $vm (f32x4.splat (local.get $m)))
    (local.set $i (i32.const 0))
    (block $d3 (loop $l3
      (br_if $d3 (i32.ge_u (local.get $i) (local.get $end16)))
      (local.set $p (i32.shl (local.get $i) (i32.const 2)))
      (br_if $d3 (v128.any_true (v128.or
        (v128.or (f32x4.eq (v128.load offset=0 (local.get $p)) (local.get $vm)) (f32x4.eq (v128.load offset=16 (local.get $p)) (local.get $vm)))
        (v128.or (f32x4.eq (v128.load offset=32 (local.get $p)) (local.get $vm)) (f32x4.eq (v128.load offset=48 (local.get $p)) (local.get $vm))))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $l3)))
    (block $d4 (loop $l4
      (br_if $d4 (i32.ge_u (local.get $i) (local.get $n)))
      (br_if $d4 (f32.eq (f32.load (i32.shl (local.get $i) (i32.const 2))) (local.get $m)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l4)))
    (local.get $i))
)
