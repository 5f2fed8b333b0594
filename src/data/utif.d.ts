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
