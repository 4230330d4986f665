package io.outpost.log;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * SLF4J 2 provider (found through {@code META-INF/services}): Pi4J's loggers write through {@link
 * Logger}, their names selecting a {@link Logger#setLevel per-package level}.
 */
public final class Slf4jProvider implements SLF4JServiceProvider, ILoggerFactory {
  private IMarkerFactory markers;
  private MDCAdapter mdc;

  @Override
  public void initialize() {
    markers = new BasicMarkerFactory();
    mdc = new NOPMDCAdapter();
  }

  @Override
  public ILoggerFactory getLoggerFactory() {
    return this;
  }

  @Override
  public org.slf4j.Logger getLogger(String name) {
    return new Slf4jLogger(name);
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return markers;
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdc;
  }

  @Override
  public String getRequestedApiVersion() {
    return "2.0.99";
  }
}
