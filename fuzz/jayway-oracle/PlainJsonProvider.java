package com.jayway.jsonpath.spi.json;

import com.jayway.jsonpath.InvalidJsonException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.*;

/** Maps and lists with Jackson's number types (Integer, Long, BigInteger, Double). */
public class PlainJsonProvider extends AbstractJsonProvider {
    private String s; private int i;
    public synchronized Object parse(String json) throws InvalidJsonException {
        s = json; i = 0; Object v = value(); ws(); if (i != s.length()) throw new InvalidJsonException("trailing"); return v;
    }
    public Object parse(InputStream in, String charset) { throw new UnsupportedOperationException(); }
    private void ws() { while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++; }
    private Object value() {
        ws(); char c = s.charAt(i);
        if (c == '{') { i++; Map<String,Object> m = new LinkedHashMap<>(); ws(); if (s.charAt(i) == '}') { i++; return m; }
            while (true) { ws(); String k = (String) value(); ws(); i++; m.put(k, value()); ws(); if (s.charAt(i++) == '}') return m; } }
        if (c == '[') { i++; List<Object> l = new ArrayList<>(); ws(); if (s.charAt(i) == ']') { i++; return l; }
            while (true) { l.add(value()); ws(); if (s.charAt(i++) == ']') return l; } }
        if (c == '"') { StringBuilder b = new StringBuilder(); i++;
            while (true) { char d = s.charAt(i++); if (d == '"') return b.toString();
                if (d == '\\') { char e = s.charAt(i++); switch (e) { case 'n': b.append('\n'); break; case 't': b.append('\t'); break; case 'r': b.append('\r'); break; case 'b': b.append('\b'); break; case 'f': b.append('\f'); break;
                    case 'u': b.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); i += 4; break; default: b.append(e); } }
                else b.append(d); } }
        if (s.startsWith("true", i)) { i += 4; return Boolean.TRUE; }
        if (s.startsWith("false", i)) { i += 5; return Boolean.FALSE; }
        if (s.startsWith("null", i)) { i += 4; return null; }
        int start = i; while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
        String n = s.substring(start, i);
        if (n.contains(".") || n.contains("e") || n.contains("E")) return Double.valueOf(n);
        BigInteger b = new BigInteger(n);
        if (b.bitLength() < 32) return b.intValue(); if (b.bitLength() < 64) return b.longValue(); return b;
    }
    public String toJson(Object o) {
        if (o == null) return "null";
        if (o instanceof String) { StringBuilder b = new StringBuilder("\"");
            for (char c : ((String) o).toCharArray()) { if (c == '"' || c == '\\') b.append('\\').append(c); else if (c < 0x20) b.append(String.format("\\u%04x", (int) c)); else b.append(c); }
            return b.append('"').toString(); }
        if (o instanceof Map) { StringBuilder b = new StringBuilder("{"); boolean first = true;
            for (Map.Entry<?,?> e : ((Map<?,?>) o).entrySet()) { if (!first) b.append(','); first = false; b.append(toJson(String.valueOf(e.getKey()))).append(':').append(toJson(e.getValue())); }
            return b.append('}').toString(); }
        if (o instanceof List) { StringBuilder b = new StringBuilder("["); boolean first = true;
            for (Object e : (List<?>) o) { if (!first) b.append(','); first = false; b.append(toJson(e)); }
            return b.append(']').toString(); }
        if (o instanceof Double) { return new BigDecimal(o.toString()).toString(); }
        return o.toString();
    }
    public Object createArray() { return new ArrayList<Object>(); }
    public Object createMap() { return new LinkedHashMap<String, Object>(); }
}
