// Loads libcurl, libpq and libcrypto on first use (include/CLibrariesOnUse.h says why).
// The sonames are those of Debian 12's libcurl4, libpq5 and libssl3; the -dev packages
// the build needs depend on them. Each function pointer takes the type of the function
// from the library's own header, so a wrong signature does not compile.
// Not curl.h's type-checking macros: they stand in the place of curl_easy_setopt's name.
#define CURL_DISABLE_TYPECHECK
#include "CLibrariesOnUse.h"
#include <dlfcn.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdio.h>

// The library's handle and the first failure's message, set once.
typedef struct {
  const char *soname;
  pthread_once_t once;
  void *handle;
  char failure[512];
} Library;

static Library curlLibrary = {"libcurl.so.4", PTHREAD_ONCE_INIT, NULL, ""};
static Library pqLibrary = {"libpq.so.5", PTHREAD_ONCE_INIT, NULL, ""};
static Library cryptoLibrary = {"libcrypto.so.3", PTHREAD_ONCE_INIT, NULL, ""};

// Opens the library and finds each name; on a failure, closes it and keeps the message.
static int bindLibrary(Library *library, const char *const *names, void **slots, size_t count) {
  library->handle = dlopen(library->soname, RTLD_NOW | RTLD_LOCAL);
  if (!library->handle) {
    const char *why = dlerror();
    snprintf(library->failure, sizeof library->failure, "%s", why ? why : library->soname);
    return -1;
  }
  for (size_t i = 0; i < count; i++) {
    slots[i] = dlsym(library->handle, names[i]);
    if (!slots[i]) {
      snprintf(library->failure, sizeof library->failure, "%s has no %s", library->soname, names[i]);
      dlclose(library->handle);
      library->handle = NULL;
      return -1;
    }
  }
  return 0;
}

// FUNCTIONS(F) lists a library's functions; F(name) makes a field or a name. Each
// library's struct holds function pointers only, so bindLibrary fills it as an array of
// them, in the order of its names (POSIX lets dlsym's void * stand for a function).
#define FIELD(name) __typeof__(&name) name;
#define NAME(name) #name,
#define SAME_COUNT(functions, names) \
  _Static_assert(sizeof functions == sizeof names / sizeof *names * sizeof(void *), "a field per name")

#define CURL_FUNCTIONS(F) \
  F(curl_global_init) F(curl_easy_init) F(curl_easy_cleanup) F(curl_easy_reset) F(curl_easy_perform) \
  F(curl_easy_strerror) F(curl_slist_append) F(curl_slist_free_all) F(curl_easy_setopt) F(curl_easy_getinfo)
static struct { CURL_FUNCTIONS(FIELD) } curl;
static const char *const curlNames[] = {CURL_FUNCTIONS(NAME)};
SAME_COUNT(curl, curlNames);
static void loadCurl(void) { bindLibrary(&curlLibrary, curlNames, (void **)&curl, sizeof curlNames / sizeof *curlNames); }

#define PQ_FUNCTIONS(F) \
  F(PQconnectdb) F(PQstatus) F(PQerrorMessage) F(PQfinish) F(PQexec) F(PQexecParams) F(PQgetResult) \
  F(PQputCopyData) F(PQputCopyEnd) F(PQclear) F(PQresultStatus) F(PQresultErrorMessage) F(PQcmdTuples) \
  F(PQntuples) F(PQnfields) F(PQfname) F(PQgetvalue) F(PQgetlength) F(PQgetisnull)
static struct { PQ_FUNCTIONS(FIELD) } pq;
static const char *const pqNames[] = {PQ_FUNCTIONS(NAME)};
SAME_COUNT(pq, pqNames);
static void loadPQ(void) { bindLibrary(&pqLibrary, pqNames, (void **)&pq, sizeof pqNames / sizeof *pqNames); }

#define CRYPTO_FUNCTIONS(F) F(HMAC) F(EVP_sha256)
static struct { CRYPTO_FUNCTIONS(FIELD) } crypto;
static const char *const cryptoNames[] = {CRYPTO_FUNCTIONS(NAME)};
SAME_COUNT(crypto, cryptoNames);
static void loadCrypto(void) { bindLibrary(&cryptoLibrary, cryptoNames, (void **)&crypto, sizeof cryptoNames / sizeof *cryptoNames); }

static const char *load(Library *library, void (*loader)(void)) {
  pthread_once(&library->once, loader);
  return library->handle ? NULL : library->failure;
}
const char *eid_libcurl_load(void) { return load(&curlLibrary, loadCurl); }
const char *eid_libpq_load(void) { return load(&pqLibrary, loadPQ); }
const char *eid_libcrypto_load(void) { return load(&cryptoLibrary, loadCrypto); }

CURLcode eid_curl_global_init(long flags) { return curl.curl_global_init(flags); }
CURL *eid_curl_easy_init(void) { return curl.curl_easy_init(); }
void eid_curl_easy_cleanup(CURL *handle) { curl.curl_easy_cleanup(handle); }
void eid_curl_easy_reset(CURL *handle) { curl.curl_easy_reset(handle); }
CURLcode eid_curl_easy_perform(CURL *handle) { return curl.curl_easy_perform(handle); }
const char *eid_curl_easy_strerror(CURLcode code) { return curl.curl_easy_strerror(code); }
struct curl_slist *eid_curl_slist_append(struct curl_slist *list, const char *line) { return curl.curl_slist_append(list, line); }
void eid_curl_slist_free_all(struct curl_slist *list) { curl.curl_slist_free_all(list); }
CURLcode eid_curl_set_long(CURL *handle, CURLoption option, long value) { return curl.curl_easy_setopt(handle, option, value); }
CURLcode eid_curl_set_string(CURL *handle, CURLoption option, const char *value) { return curl.curl_easy_setopt(handle, option, value); }
CURLcode eid_curl_set_pointer(CURL *handle, CURLoption option, void *value) { return curl.curl_easy_setopt(handle, option, value); }
CURLcode eid_curl_set_write(CURL *handle, size_t (*callback)(char *, size_t, size_t, void *)) {
  return curl.curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
}
CURLcode eid_curl_set_header(CURL *handle, size_t (*callback)(char *, size_t, size_t, void *)) {
  return curl.curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, callback);
}
long eid_curl_status(CURL *handle) {
  long status = 0;
  curl.curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
  return status;
}

PGconn *eid_PQconnectdb(const char *conninfo) { return pq.PQconnectdb(conninfo); }
ConnStatusType eid_PQstatus(const PGconn *conn) { return pq.PQstatus(conn); }
char *eid_PQerrorMessage(const PGconn *conn) { return pq.PQerrorMessage(conn); }
void eid_PQfinish(PGconn *conn) { pq.PQfinish(conn); }
PGresult *eid_PQexec(PGconn *conn, const char *query) { return pq.PQexec(conn, query); }
PGresult *eid_PQexecParams(PGconn *conn, const char *command, int nParams, const Oid *paramTypes,
                           const char *const *paramValues, const int *paramLengths, const int *paramFormats,
                           int resultFormat) {
  return pq.PQexecParams(conn, command, nParams, paramTypes, paramValues, paramLengths, paramFormats, resultFormat);
}
PGresult *eid_PQgetResult(PGconn *conn) { return pq.PQgetResult(conn); }
int eid_PQputCopyData(PGconn *conn, const char *buffer, int nbytes) { return pq.PQputCopyData(conn, buffer, nbytes); }
int eid_PQputCopyEnd(PGconn *conn, const char *errormsg) { return pq.PQputCopyEnd(conn, errormsg); }
void eid_PQclear(PGresult *res) { pq.PQclear(res); }
ExecStatusType eid_PQresultStatus(const PGresult *res) { return pq.PQresultStatus(res); }
char *eid_PQresultErrorMessage(const PGresult *res) { return pq.PQresultErrorMessage(res); }
char *eid_PQcmdTuples(PGresult *res) { return pq.PQcmdTuples(res); }
int eid_PQntuples(const PGresult *res) { return pq.PQntuples(res); }
int eid_PQnfields(const PGresult *res) { return pq.PQnfields(res); }
char *eid_PQfname(const PGresult *res, int field_num) { return pq.PQfname(res, field_num); }
char *eid_PQgetvalue(const PGresult *res, int tup_num, int field_num) { return pq.PQgetvalue(res, tup_num, field_num); }
int eid_PQgetlength(const PGresult *res, int tup_num, int field_num) { return pq.PQgetlength(res, tup_num, field_num); }
int eid_PQgetisnull(const PGresult *res, int tup_num, int field_num) { return pq.PQgetisnull(res, tup_num, field_num); }

int eid_hmac_sha256(const void *key, int keyLength, const unsigned char *data, size_t length, unsigned char *out) {
  if (eid_libcrypto_load()) return -1;
  unsigned int written = 0;
  return crypto.HMAC(crypto.EVP_sha256(), key, keyLength, data, length, out, &written) && written == 32 ? 0 : -1;
}
