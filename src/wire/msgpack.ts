// @msgpack/msgpack, its ES module build. The package names no "exports", so Node resolves a
// plain `import "@msgpack/msgpack"` to its CommonJS build ("main"), and importing CommonJS from an
// ES module makes Node lex each of its 16 files for export names: that lexing got hot enough for
// V8 to optimise the lexer in the background, ~4 MB of an idle node's RSS for nothing
// (bench/README.md, "Node: memory"). The ES module build ("module", which bundlers take anyway)
// loads without it. The types are the package's own (its "types" are the same build's).
import type * as Msgpack from "@msgpack/msgpack";
// @ts-expect-error the build's .mjs has no .d.mts beside it; its types are the package's, above
import * as esm from "@msgpack/msgpack/dist.esm/index.mjs";

const msgpack = esm as typeof Msgpack;

export const { Decoder, Encoder, ExtensionCodec, decode, decodeMulti, decodeMultiStream, encode } = msgpack;
export type Decoder<C = undefined> = Msgpack.Decoder<C>;
export type Encoder<C = undefined> = Msgpack.Encoder<C>;
export type ExtensionCodec<C = undefined> = Msgpack.ExtensionCodec<C>;
