#include <curl/curl.h>

// curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call: one
// wrapper per argument type.
static inline CURLcode eid_curl_set_long(CURL *curl, CURLoption option, long value) {
  return curl_easy_setopt(curl, option, value);
}
static inline CURLcode eid_curl_set_string(CURL *curl, CURLoption option, const char *value) {
  return curl_easy_setopt(curl, option, value);
}
static inline CURLcode eid_curl_set_pointer(CURL *curl, CURLoption option, void *value) {
  return curl_easy_setopt(curl, option, value);
}
static inline CURLcode eid_curl_set_write(CURL *curl, size_t (*callback)(char *, size_t, size_t, void *)) {
  return curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, callback);
}
static inline CURLcode eid_curl_set_header(CURL *curl, size_t (*callback)(char *, size_t, size_t, void *)) {
  return curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, callback);
}
static inline long eid_curl_status(CURL *curl) {
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  return status;
}
