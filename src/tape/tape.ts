// The autograd tape: ops push a Node holding what their backward needs; backward() walks the nodes in
// reverse, accumulating gradients. It does no arithmetic itself: every gradient is a WGSL dispatch.
import type { Gpu } from '../gpu/device.ts';
import { Tensor } from './tensor.ts';

export interface Node {
  inputs: readonly Tensor[];
  output: Tensor;
  /** Gradients of the inputs given the output's; null where an input needs none. Must not free gradOut. */
  backward(gradOut: Tensor): Array<Tensor | null>;
  /** Intermediate buffers the backward needed, freed with the tape. */
  saved?: Tensor[];
}

/** The two gradient sums the tape needs, provided by the elementwise ops (registered at their import). */
interface GradOps {
  addInPlace(into: Tensor, g: Tensor): void; // into += g
  add(a: Tensor, b: Tensor): Tensor; // a fresh a + b
  zeros(gpu: Gpu, shape: readonly number[]): Tensor;
}
let gradOps: GradOps | null = null;
export function setGradOps(ops: GradOps): void {
  gradOps = ops;
}

export class Tape {
  nodes: Node[] = [];
  recording = true;
  /** Tensors created under this tape (outputs and saved), released by release(). */
  private owned: Tensor[] = [];

  constructor(readonly gpu: Gpu) {}

  /** Runs fn without recording (inference). */
  noGrad<T>(fn: () => T): T {
    const was = this.recording;
    this.recording = false;
    try {
      return fn();
    } finally {
      this.recording = was;
    }
  }

  /** Registers an op's output; records the node when any input needs a gradient. */
  record(output: Tensor, inputs: readonly Tensor[], backward: Node['backward'], saved?: Tensor[]): Tensor {
    this.owned.push(output, ...(saved ?? []));
    if (this.recording && inputs.some((t) => t.requiresGrad)) {
      output.requiresGrad = true;
      const node: Node = { inputs, output, backward, saved };
      output.node = node;
      this.nodes.push(node);
    }
    return output;
  }

  /** Takes ownership of a tensor created outside record() (freed by release()). */
  own(t: Tensor): Tensor {
    this.owned.push(t);
    return t;
  }

  /**
   * Backpropagates from `loss`, seeded with `seed` (d loss / d loss, loss' shape). Leaf tensors that need a
   * gradient accumulate it in `.grad` across calls (zero it with zeroGrad). NOTE: a backward may return
   * its gradOut or views of it; sums therefore always produce fresh tensors, never write into a shared one.
   */
  backward(loss: Tensor, seed: Tensor): void {
    if (!gradOps) throw new Error('tape: import src/ops/elementwise.ts before backward()');
    const ops = gradOps;
    const grads = new Map<Tensor, Tensor>([[loss, seed]]);
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const node = this.nodes[i];
      const g = grads.get(node.output);
      if (!g) continue;
      const inGrads = node.backward(g);
      node.inputs.forEach((inp, j) => {
        const gi = inGrads[j];
        if (!gi || !inp.requiresGrad) return;
        this.owned.push(gi);
        if (!inp.node) {
          inp.grad ??= ops.zeros(this.gpu, inp.shape);
          ops.addInPlace(inp.grad, gi);
          return;
        }
        const prev = grads.get(inp);
        grads.set(inp, prev ? this.own(ops.add(prev, gi)) : gi);
      });
    }
  }

  /** Frees every buffer the tape's ops produced except those in `keep`; clears the node list. */
  release(keep: readonly Tensor[] = []): void {
    const kept = new Set(keep.filter((t) => !t.released).map((t) => t.buffer));
    const seen = new Set<GPUBuffer>();
    for (const t of this.owned) {
      if (t.released || t.isView || kept.has(t.buffer) || seen.has(t.buffer)) continue;
      seen.add(t.buffer);
      t.release();
    }
    this.owned = [];
    for (const n of this.nodes) n.output.node = null;
    this.nodes = [];
  }
}

export { Tensor };
