package org.gradprobe.kernels;

import java.util.Arrays;

/** Plain-Java kernels: loop orders chosen so the innermost loop runs over contiguous memory. */
final class JavaKernels implements Kernels {
    static final JavaKernels INSTANCE = new JavaKernels();

    private JavaKernels() {}

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
        if (!accumulate) Arrays.fill(c, cOff, cOff + m * n, 0f);
        if (!transA && !transB) {
            for (int i = 0; i < m; i++) {
                int ci = cOff + i * n;
                for (int p = 0; p < k; p++) {
                    float aip = a[aOff + i * k + p];
                    int bp = bOff + p * n;
                    for (int j = 0; j < n; j++) c[ci + j] += aip * b[bp + j];
                }
            }
        } else if (transA && !transB) {
            for (int p = 0; p < k; p++) {
                int bp = bOff + p * n;
                for (int i = 0; i < m; i++) {
                    float api = a[aOff + p * m + i];
                    int ci = cOff + i * n;
                    for (int j = 0; j < n; j++) c[ci + j] += api * b[bp + j];
                }
            }
        } else if (!transA) {
            for (int i = 0; i < m; i++) {
                int ai = aOff + i * k;
                for (int j = 0; j < n; j++) {
                    int bj = bOff + j * k;
                    float s = 0f;
                    for (int p = 0; p < k; p++) s += a[ai + p] * b[bj + p];
                    c[cOff + i * n + j] += s;
                }
            }
        } else {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    float s = 0f;
                    for (int p = 0; p < k; p++) s += a[aOff + p * m + i] * b[bOff + j * k + p];
                    c[cOff + i * n + j] += s;
                }
            }
        }
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     double[] a, int aOff, double[] b, int bOff, double[] c, int cOff, boolean accumulate) {
        if (!accumulate) Arrays.fill(c, cOff, cOff + m * n, 0.0);
        if (!transA && !transB) {
            for (int i = 0; i < m; i++) {
                int ci = cOff + i * n;
                for (int p = 0; p < k; p++) {
                    double aip = a[aOff + i * k + p];
                    int bp = bOff + p * n;
                    for (int j = 0; j < n; j++) c[ci + j] += aip * b[bp + j];
                }
            }
        } else if (transA && !transB) {
            for (int p = 0; p < k; p++) {
                int bp = bOff + p * n;
                for (int i = 0; i < m; i++) {
                    double api = a[aOff + p * m + i];
                    int ci = cOff + i * n;
                    for (int j = 0; j < n; j++) c[ci + j] += api * b[bp + j];
                }
            }
        } else if (!transA) {
            for (int i = 0; i < m; i++) {
                int ai = aOff + i * k;
                for (int j = 0; j < n; j++) {
                    int bj = bOff + j * k;
                    double s = 0.0;
                    for (int p = 0; p < k; p++) s += a[ai + p] * b[bj + p];
                    c[cOff + i * n + j] += s;
                }
            }
        } else {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0.0;
                    for (int p = 0; p < k; p++) s += a[aOff + p * m + i] * b[bOff + j * k + p];
                    c[cOff + i * n + j] += s;
                }
            }
        }
    }

    @Override
    public void im2col(float[] x, int xOff, int c, int h, int w, int kh, int kw, int stride, int pad, int oh, int ow, float[] cols, int colsOff) {
        int plane = oh * ow;
        for (int ch = 0; ch < c; ch++) {
            for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++) {
                    int row = colsOff + ((ch * kh + ky) * kw + kx) * plane;
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * stride - pad + ky;
                        int dst = row + oy * ow;
                        if (iy < 0 || iy >= h) {
                            Arrays.fill(cols, dst, dst + ow, 0f);
                            continue;
                        }
                        int src = xOff + (ch * h + iy) * w;
                        for (int ox = 0; ox < ow; ox++) {
                            int ix = ox * stride - pad + kx;
                            cols[dst + ox] = ix >= 0 && ix < w ? x[src + ix] : 0f;
                        }
                    }
                }
            }
        }
    }

    @Override
    public void im2col(double[] x, int xOff, int c, int h, int w, int kh, int kw, int stride, int pad, int oh, int ow, double[] cols, int colsOff) {
        int plane = oh * ow;
        for (int ch = 0; ch < c; ch++) {
            for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++) {
                    int row = colsOff + ((ch * kh + ky) * kw + kx) * plane;
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * stride - pad + ky;
                        int dst = row + oy * ow;
                        if (iy < 0 || iy >= h) {
                            Arrays.fill(cols, dst, dst + ow, 0.0);
                            continue;
                        }
                        int src = xOff + (ch * h + iy) * w;
                        for (int ox = 0; ox < ow; ox++) {
                            int ix = ox * stride - pad + kx;
                            cols[dst + ox] = ix >= 0 && ix < w ? x[src + ix] : 0.0;
                        }
                    }
                }
            }
        }
    }

    @Override
    public void col2im(float[] cols, int colsOff, int c, int h, int w, int kh, int kw, int stride, int pad, int oh, int ow, float[] dx, int xOff) {
        int plane = oh * ow;
        for (int ch = 0; ch < c; ch++) {
            for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++) {
                    int row = colsOff + ((ch * kh + ky) * kw + kx) * plane;
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * stride - pad + ky;
                        if (iy < 0 || iy >= h) continue;
                        int dst = xOff + (ch * h + iy) * w;
                        int src = row + oy * ow;
                        for (int ox = 0; ox < ow; ox++) {
                            int ix = ox * stride - pad + kx;
                            if (ix >= 0 && ix < w) dx[dst + ix] += cols[src + ox];
                        }
                    }
                }
            }
        }
    }

    @Override
    public void col2im(double[] cols, int colsOff, int c, int h, int w, int kh, int kw, int stride, int pad, int oh, int ow, double[] dx, int xOff) {
        int plane = oh * ow;
        for (int ch = 0; ch < c; ch++) {
            for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++) {
                    int row = colsOff + ((ch * kh + ky) * kw + kx) * plane;
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * stride - pad + ky;
                        if (iy < 0 || iy >= h) continue;
                        int dst = xOff + (ch * h + iy) * w;
                        int src = row + oy * ow;
                        for (int ox = 0; ox < ow; ox++) {
                            int ix = ox * stride - pad + kx;
                            if (ix >= 0 && ix < w) dx[dst + ix] += cols[src + ox];
                        }
                    }
                }
            }
        }
    }

    @Override
    public void maxPool2d(float[] x, int planes, int h, int w, int k, int stride, int oh, int ow, float[] out, int[] argmax) {
        for (int p = 0; p < planes; p++) {
            int base = p * h * w;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int best = base + oy * stride * w + ox * stride;
                    float bv = x[best];
                    for (int ky = 0; ky < k; ky++) {
                        int rowIdx = base + (oy * stride + ky) * w + ox * stride;
                        for (int kx = 0; kx < k; kx++) {
                            float v = x[rowIdx + kx];
                            if (v > bv || (Float.isNaN(v) && !Float.isNaN(bv))) {
                                bv = v;
                                best = rowIdx + kx;
                            }
                        }
                    }
                    int o = (p * oh + oy) * ow + ox;
                    out[o] = bv;
                    argmax[o] = best;
                }
            }
        }
    }

    @Override
    public void maxPool2d(double[] x, int planes, int h, int w, int k, int stride, int oh, int ow, double[] out, int[] argmax) {
        for (int p = 0; p < planes; p++) {
            int base = p * h * w;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int best = base + oy * stride * w + ox * stride;
                    double bv = x[best];
                    for (int ky = 0; ky < k; ky++) {
                        int rowIdx = base + (oy * stride + ky) * w + ox * stride;
                        for (int kx = 0; kx < k; kx++) {
                            double v = x[rowIdx + kx];
                            if (v > bv || (Double.isNaN(v) && !Double.isNaN(bv))) {
                                bv = v;
                                best = rowIdx + kx;
                            }
                        }
                    }
                    int o = (p * oh + oy) * ow + ox;
                    out[o] = bv;
                    argmax[o] = best;
                }
            }
        }
    }
}
