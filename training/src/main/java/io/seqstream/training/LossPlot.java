package io.seqstream.training;

import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Draws training and validation loss per epoch, with the kept (best) epoch marked, as a PNG. */
final class LossPlot {
    private LossPlot() {
    }

    static void write(List<EpochStats> history, int bestEpoch, String title, Path png) throws IOException {
        if (history.isEmpty()) {
            throw new IllegalArgumentException("Nothing to plot: no epochs");
        }
        double[] epochs = history.stream().mapToDouble(EpochStats::epoch).toArray();
        double[] train = history.stream().mapToDouble(EpochStats::trainLoss).toArray();
        double[] validation = history.stream().mapToDouble(EpochStats::validationLoss).toArray();
        XYChart chart = new XYChartBuilder()
                .width(800)
                .height(500)
                .title(title)
                .xAxisTitle("epoch")
                .yAxisTitle("loss (nats/token)")
                .build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setXAxisDecimalPattern("0");
        chart.addSeries("train", epochs, train).setMarker(SeriesMarkers.CIRCLE);
        chart.addSeries("validation", epochs, validation).setMarker(SeriesMarkers.CIRCLE);
        EpochStats best = history.get(bestEpoch - 1);
        XYSeries marker = chart.addSeries("best epoch (" + bestEpoch + ")",
                new double[] {best.epoch()}, new double[] {best.validationLoss()});
        marker.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        marker.setMarker(SeriesMarkers.DIAMOND);
        marker.setMarkerColor(Color.RED);
        chart.getStyler().setMarkerSize(9);
        try (OutputStream out = Files.newOutputStream(png)) {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        }
    }
}
