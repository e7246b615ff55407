package io.seqstream.engine.cuda;

import static org.bytedeco.cuda.global.cudart.cudaDriverGetVersion;
import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaGetDeviceCount;
import static org.bytedeco.cuda.global.cudart.cudaGetDeviceProperties;
import static org.bytedeco.cuda.global.cudart.cudaGetErrorString;
import static org.bytedeco.cuda.global.cudart.cudaRuntimeGetVersion;
import static org.bytedeco.cuda.global.cudart.cudaSuccess;
import static org.bytedeco.cuda.global.nvrtc.NVRTC_SUCCESS;
import static org.bytedeco.cuda.global.nvrtc.nvrtcCompileProgram;
import static org.bytedeco.cuda.global.nvrtc.nvrtcCreateProgram;
import static org.bytedeco.cuda.global.nvrtc.nvrtcDestroyProgram;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetCUBIN;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetCUBINSize;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetErrorString;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetProgramLog;
import static org.bytedeco.cuda.global.nvrtc.nvrtcGetProgramLogSize;

import org.bytedeco.cuda.cudart.cudaDeviceProp;
import org.bytedeco.cuda.nvrtc._nvrtcProgram;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.SizeTPointer;

/** Finding the CUDA device and the small things every CUDA call needs: error checks, NVRTC compilation. */
public final class Cuda {
    private static volatile String unavailable;
    private static volatile boolean probed;

    private Cuda() {
    }

    /** True when the CUDA runtime loads and sees at least one device (probed once, cheaply). */
    public static boolean available() {
        return unavailableReason() == null;
    }

    /** Why no CUDA device can be used, or null when one can. */
    public static String unavailableReason() {
        if (!probed) {
            synchronized (Cuda.class) {
                if (!probed) {
                    unavailable = probe();
                    probed = true;
                }
            }
        }
        return unavailable;
    }

    private static String probe() {
        try {
            int[] count = new int[1];
            int status = cudaGetDeviceCount(count);
            if (status != cudaSuccess) {
                return "cudaGetDeviceCount failed: " + cudaGetErrorString(status).getString();
            }
            if (count[0] == 0) {
                return "the CUDA runtime sees no device";
            }
            // Makes the runtime's primary context current, which the driver-API calls (modules, launches) need.
            cudaFree(null);
            return null;
        } catch (Throwable e) {
            return "the CUDA libraries did not load (" + e.getClass().getSimpleName() + ": " + e.getMessage()
                    + "); install the NVIDIA driver and CUDA 13 (cudart, cuBLAS, NVRTC) on the library path";
        }
    }

    static void requireDevice() {
        String reason = unavailableReason();
        if (reason != null) {
            throw new IllegalStateException("No CUDA device: " + reason);
        }
    }

    /** One line: device name, compute capability, memory, runtime and driver versions. */
    public static String describeDevice() {
        requireDevice();
        cudaDeviceProp p = new cudaDeviceProp();
        check(cudaGetDeviceProperties(p, 0), "cudaGetDeviceProperties");
        int[] runtime = new int[1];
        int[] driver = new int[1];
        cudaRuntimeGetVersion(runtime);
        cudaDriverGetVersion(driver);
        return String.format(java.util.Locale.ROOT, "%s, compute capability %d.%d, %d SMs, %.1f GiB; CUDA runtime %s,"
                        + " driver supports %s", p.name().getString(), p.major(), p.minor(), p.multiProcessorCount(),
                p.totalGlobalMem() / (1024.0 * 1024 * 1024), version(runtime[0]), version(driver[0]));
    }

    private static String version(int v) {
        return (v / 1000) + "." + (v % 1000 / 10);
    }

    static int[] computeCapability() {
        cudaDeviceProp p = new cudaDeviceProp();
        check(cudaGetDeviceProperties(p, 0), "cudaGetDeviceProperties");
        return new int[] {p.major(), p.minor()};
    }

    /** Compiles CUDA C to a CUBIN for this device with NVRTC; a compile error carries NVRTC's log. */
    static byte[] compile(String source, String name) {
        int[] cc = computeCapability();
        _nvrtcProgram program = new _nvrtcProgram();
        checkNvrtc(nvrtcCreateProgram(program, new BytePointer(source), new BytePointer(name), 0,
                new PointerPointer(0L), new PointerPointer(0L)), "nvrtcCreateProgram");
        try {
            PointerPointer options = new PointerPointer("--gpu-architecture=sm_" + cc[0] + cc[1], "--std=c++17");
            int status = nvrtcCompileProgram(program, 2, options);
            if (status != NVRTC_SUCCESS) {
                SizeTPointer size = new SizeTPointer(1);
                nvrtcGetProgramLogSize(program, size);
                BytePointer log = new BytePointer(size.get());
                nvrtcGetProgramLog(program, log);
                throw new IllegalStateException("NVRTC could not compile " + name + ": "
                        + nvrtcGetErrorString(status).getString() + "\n" + log.getString());
            }
            SizeTPointer size = new SizeTPointer(1);
            checkNvrtc(nvrtcGetCUBINSize(program, size), "nvrtcGetCUBINSize");
            byte[] cubin = new byte[Math.toIntExact(size.get())];
            checkNvrtc(nvrtcGetCUBIN(program, cubin), "nvrtcGetCUBIN");
            return cubin;
        } finally {
            nvrtcDestroyProgram(program);
        }
    }

    static void check(int status, String what) {
        if (status != cudaSuccess) {
            throw new IllegalStateException(what + " failed: " + cudaGetErrorString(status).getString()
                    + " (" + status + ")");
        }
    }

    static void checkDriver(int status, String what) {
        if (status != 0) {
            throw new IllegalStateException(what + " failed: CUDA driver error " + status);
        }
    }

    static void checkBlas(int status, String what) {
        if (status != 0) {
            throw new IllegalStateException(what + " failed: cuBLAS status " + status);
        }
    }

    private static void checkNvrtc(int status, String what) {
        if (status != NVRTC_SUCCESS) {
            throw new IllegalStateException(what + " failed: " + nvrtcGetErrorString(status).getString());
        }
    }
}
