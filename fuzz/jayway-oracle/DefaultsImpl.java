package com.jayway.jsonpath.internal;

import java.util.EnumSet;
import java.util.Set;
import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.Configuration.Defaults;
import com.jayway.jsonpath.Option;
import com.jayway.jsonpath.TypeRef;
import com.jayway.jsonpath.spi.json.JsonProvider;
import com.jayway.jsonpath.spi.json.PlainJsonProvider;
import com.jayway.jsonpath.spi.mapper.MappingProvider;

public final class DefaultsImpl implements Defaults {
  public static final DefaultsImpl INSTANCE = new DefaultsImpl();
  public JsonProvider jsonProvider() { return new PlainJsonProvider(); }
  public Set<Option> options() { return EnumSet.noneOf(Option.class); }
  public MappingProvider mappingProvider() { return new MappingProvider() {
      public <T> T map(Object s, Class<T> t, Configuration c) { return (T) s; }
      public <T> T map(Object s, TypeRef<T> t, Configuration c) { return (T) s; } }; }
  private DefaultsImpl() {}
}
