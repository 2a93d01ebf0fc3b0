;; The basE91 decoder of the single-file Action (js/base91.js, decodeBase91), as a tiny wasm module:
;; decoding ~75 kB of text in JavaScript runs mostly in the interpreter at a cold start (about 2.5 ms,
;; measured), in wasm it takes a fraction of that. scripts/bundle.js assembles it with wasm-opt from the
;; npm package binaryen and inlines its bytes.
;;
;; Memory (imported): bytes 0-127 the digit of each ASCII code (the alphabet's index), from 128 the
;; text's character codes (n of them), from `o` the output. d(n, o) returns the number of bytes written.
(module
  (import "e" "m" (memory 1))
  (func (export "d") (param $n i32) (param $o i32) (result i32)
    (local $i i32) (local $b i32) (local $c i32) (local $v i32) (local $start i32)
    (local.set $start (local.get $o))
    (block $done
      (loop $pairs
        (br_if $done (i32.ge_u (i32.add (local.get $i) (i32.const 1)) (local.get $n)))
        ;; two characters: 13 or 14 bits
        (local.set $v (i32.add
          (i32.load8_u (i32.load8_u offset=128 (local.get $i)))
          (i32.mul (i32.load8_u (i32.load8_u offset=129 (local.get $i))) (i32.const 91))))
        (local.set $b (i32.or (local.get $b) (i32.shl (local.get $v) (local.get $c))))
        (local.set $c (i32.add (local.get $c)
          (select (i32.const 13) (i32.const 14)
            (i32.gt_u (i32.and (local.get $v) (i32.const 8191)) (i32.const 88)))))
        ;; one byte out, and a second while 8 bits are left
        (i32.store8 (local.get $o) (local.get $b))
        (local.set $o (i32.add (local.get $o) (i32.const 1)))
        (local.set $b (i32.shr_u (local.get $b) (i32.const 8)))
        (local.set $c (i32.sub (local.get $c) (i32.const 8)))
        (if (i32.gt_u (local.get $c) (i32.const 7))
          (then
            (i32.store8 (local.get $o) (local.get $b))
            (local.set $o (i32.add (local.get $o) (i32.const 1)))
            (local.set $b (i32.shr_u (local.get $b) (i32.const 8)))
            (local.set $c (i32.sub (local.get $c) (i32.const 8)))))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $pairs)))
    ;; a last single character
    (if (i32.lt_u (local.get $i) (local.get $n))
      (then
        (i32.store8 (local.get $o)
          (i32.or (local.get $b)
            (i32.shl (i32.load8_u (i32.load8_u offset=128 (local.get $i))) (local.get $c))))
        (local.set $o (i32.add (local.get $o) (i32.const 1)))))
    (i32.sub (local.get $o) (local.get $start))))
