package io.seqstream.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.CategoryStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The run as one PNG: per model, events/s against batch size (both axes logarithmic) for every engine and
 * the PyTorch peer, with the GEMM ceiling as a dashed line; then end-to-end events/s per topology (the realistic
 * HDFS runs first, then the worst case's) with the paced pass's p99 latency in its label; then, for the same
 * runs, the CPU time each backlog cost per input event, stacked: the stream threads, the JIT compiler and the
 * rest of the process (the in-process broker, the clients' I/O threads, RocksDB's and Kafka Streams' background
 * threads, the bench's output reader, the GC).
 */
final class BenchChart {
    private static final int PANEL_WIDTH = 620;
    private static final int PANEL_HEIGHT = 500;
    /** The end-to-end runs in the order the panels show them: the realistic HDFS pair, then the worst case's. */
    private static final List<String> TOPOLOGIES = List.of(BenchReport.HDFS_COUNT, BenchReport.HDFS,
            EndToEndBenchmark.COUNT, BenchModel.SMALL.name(), BenchModel.LARGE.name());

    private BenchChart() {
    }

    static void write(BenchReport report, Path png) throws IOException {
        List<Chart<?, ?>> panels = new ArrayList<>();
        for (BenchModel model : report.models()) {
            panels.add(stepPanel(report, model));
        }
        panels.add(endToEndPanel(report));
        panels.add(cpuPanel(report));
        Files.createDirectories(png.toAbsolutePath().getParent());
        try (OutputStream out = Files.newOutputStream(png)) {
            BitmapEncoder.saveBitmap(panels, 1, panels.size(), out, BitmapEncoder.BitmapFormat.PNG);
        }
    }

    private static XYChart stepPanel(BenchReport report, BenchModel model) {
        XYChart chart = new XYChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT)
                .title("Stepping, " + model.name() + " (" + model.shape() + ")")
                .xAxisTitle("batch size (keys per step)").yAxisTitle("events/s").build();
        XYStyler styler = chart.getStyler();
        styler.setXAxisLogarithmic(true);
        styler.setYAxisLogarithmic(true);
        styler.setXAxisDecimalPattern("#,##0");
        styler.setYAxisDecimalPattern("#,##0");
        styler.setLegendPosition(Styler.LegendPosition.OutsideS);
        styler.setLegendLayout(Styler.LegendLayout.Horizontal);
        styler.setMarkerSize(7);
        List<Integer> batches = report.batchSizes();
        double[] x = batches.stream().mapToDouble(Integer::doubleValue).toArray();
        boolean any = false;
        for (String engine : report.engines()) {
            any |= addSeries(chart, engine, batches, b -> report.stepEps(model.name(), engine, b));
        }
        if (addSeries(chart, "torch", batches, b -> report.torchEps(model.name(), b))) {
            XYSeries peer = chart.getSeriesMap().get("torch");
            peer.setLineColor(Color.GRAY);
            peer.setMarkerColor(Color.GRAY);
            any = true;
        }
        Double ceiling = report.ceilingEps(model);
        if (ceiling != null && any) {
            XYSeries line = chart.addSeries(String.format(Locale.ROOT, "ceiling %.0f GF/s",
                    report.gemmGflops()), new double[] {x[0], x[x.length - 1]}, new double[] {ceiling, ceiling});
            line.setMarker(SeriesMarkers.NONE);
            line.setLineColor(Color.RED);
            line.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                            new float[] {6f, 4f}, 0f));
        }
        if (!any) {
            chart.addSeries("not measured", new double[] {1}, new double[] {1});
        }
        return chart;
    }

    /** Adds the points that exist; false if there were none. */
    private static boolean addSeries(XYChart chart, String name, List<Integer> batches,
                                     java.util.function.IntFunction<Double> value) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (int b : batches) {
            Double v = value.apply(b);
            if (v != null && v > 0) {
                xs.add((double) b);
                ys.add(v);
            }
        }
        if (xs.isEmpty()) {
            return false;
        }
        chart.addSeries(name, xs, ys).setMarker(SeriesMarkers.CIRCLE);
        return true;
    }

    private static CategoryChart endToEndPanel(BenchReport report) {
        CategoryChart chart = new CategoryChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT)
                .title("End to end (exactly_once_v2, in-process broker)")
                .xAxisTitle("topology (p99 latency of the paced pass)").yAxisTitle("events/s").build();
        CategoryStyler styler = chart.getStyler();
        styler.setLegendVisible(false);
        styler.setYAxisDecimalPattern("#,##0");
        styler.setLabelsVisible(true);
        // five topologies with their p99 in the label: slanted, they do not run into each other
        styler.setXAxisLabelRotation(25);
        List<String> labels = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        for (String topology : TOPOLOGIES) {
            EndToEndBenchmark.Result r = report.e2eResult(topology);
            if (r != null) {
                labels.add(topology + (r.p99Ms() == null ? "" : String.format(Locale.ROOT, ", p99 %.0f ms",
                        r.p99Ms())));
                values.add(r.eventsPerSecond());
            }
        }
        if (labels.isEmpty()) {
            labels.add("not measured");
            values.add(0.0);
        }
        chart.addSeries("events/s", labels, values);
        return chart;
    }

    private static CategoryChart cpuPanel(BenchReport report) {
        CategoryChart chart = new CategoryChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT)
                .title("CPU per input event, end to end").xAxisTitle("topology").yAxisTitle("µs of CPU per event")
                .build();
        CategoryStyler styler = chart.getStyler();
        styler.setStacked(true);
        styler.setYAxisDecimalPattern("#,##0");
        styler.setXAxisLabelRotation(25);
        styler.setLegendPosition(Styler.LegendPosition.InsideNW);
        List<String> labels = new ArrayList<>();
        List<Double> stream = new ArrayList<>();
        List<Double> jit = new ArrayList<>();
        List<Double> rest = new ArrayList<>();
        for (String topology : TOPOLOGIES) {
            EndToEndBenchmark.Result r = report.e2eResult(topology);
            Double threads = BenchReport.cpuMicrosPerEvent(r);
            Double compiler = BenchReport.jitMicrosPerEvent(r);
            Double process = BenchReport.processCpuMicrosPerEvent(r);
            if (threads != null && compiler != null && process != null) {
                // the JIT's figure is its compile time, not a CPU clock: clamped so that the stack never passes the
                // process's CPU
                double jitShown = Math.max(0, Math.min(compiler, process - threads));
                labels.add(topology);
                stream.add(threads);
                jit.add(jitShown);
                rest.add(Math.max(0, process - threads - jitShown));
            }
        }
        if (labels.isEmpty()) {
            chart.addSeries("not measured", List.of("not measured"), List.of(0.0));
            return chart;
        }
        chart.addSeries("stream threads", labels, stream);
        chart.addSeries("JIT compiling", labels, jit).setFillColor(Color.LIGHT_GRAY);
        chart.addSeries("rest of the process", labels, rest).setFillColor(Color.GRAY);
        return chart;
    }
}
