// Types for the parts of utif (photopea/UTIF.js, no bundled types) that the TIFF reader uses.
declare module 'utif' {
  /** One image file directory: tags as `t<number>` arrays, plus fields set by decodeImage. */
  export interface Ifd {
    [tag: `t${number}`]: number[] | string[] | Uint8Array | undefined;
    width?: number;
    height?: number;
    isLE?: boolean;
    data?: Uint8Array;
  }
  interface Utif {
    decode(buffer: ArrayBuffer): Ifd[];
    decodeImage(buffer: ArrayBuffer, ifd: Ifd, ifds?: Ifd[]): void;
  }
  const UTIF: Utif;
  export default UTIF;
}

// pako (utif's deflate, no bundled types): the TIFF reader checks deflate strips with it, in Node and the browser.
declare module 'pako' {
  interface Pako {
    /** Inflates zlib data; throws (a string, in pako 1) on corrupt data. */
    inflate(data: Uint8Array): Uint8Array;
  }
  const pako: Pako;
  export default pako;
}
