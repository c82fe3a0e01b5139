; Cartograph tags shared by JavaScript, TypeScript and TSX. Extends the tags
; query shipped by tree-sitter-javascript with fields, constants and imports.

(class_declaration name: (_) @name) @definition.class
(class name: (_) @name) @definition.class
(function_declaration name: (identifier) @name) @definition.function
(generator_function_declaration name: (identifier) @name) @definition.function
(method_definition name: (property_identifier) @name) @definition.method
(method_definition name: (private_property_identifier) @name) @definition.method

(program (lexical_declaration (variable_declarator name: (identifier) @name value: [(arrow_function) (function_expression)]) @definition.function))
(program (export_statement declaration: (lexical_declaration (variable_declarator name: (identifier) @name value: [(arrow_function) (function_expression)]) @definition.function)))
(program (lexical_declaration (variable_declarator name: (identifier) @name value: (_) @_v) @definition.constant) (#not-match? @_v "^(function|async|\\()"))
(program (export_statement declaration: (lexical_declaration (variable_declarator name: (identifier) @name value: (_) @_v) @definition.constant)) (#not-match? @_v "^(function|async|\\()"))
(program (variable_declaration (variable_declarator name: (identifier) @name) @definition.variable))
(program (export_statement declaration: (variable_declaration (variable_declarator name: (identifier) @name) @definition.variable)))
; a value an immediately invoked function computes: `const state = (function () { .. })()`
(program (lexical_declaration (variable_declarator name: (identifier) @name value: (call_expression function: (parenthesized_expression))) @definition.constant))
(program (export_statement declaration: (lexical_declaration (variable_declarator name: (identifier) @name value: (call_expression function: (parenthesized_expression))) @definition.constant)))
; `let current: Options;` assigned later
(program (lexical_declaration (variable_declarator name: (identifier) @name !value) @definition.variable))
(program (export_statement declaration: (lexical_declaration (variable_declarator name: (identifier) @name !value) @definition.variable)))

(assignment_expression
  left: (member_expression object: (member_expression property: (property_identifier) @_proto) property: (property_identifier) @name)
  right: [(arrow_function) (function_expression)]
  (#eq? @_proto "prototype")) @definition.method

; references
(member_expression property: (property_identifier) @name) @reference.other
(member_expression property: (private_property_identifier) @name) @reference.other
(call_expression function: (member_expression property: (private_property_identifier) @name)) @reference.call
(call_expression function: (identifier) @name) @reference.call
(call_expression function: (member_expression property: (property_identifier) @name)) @reference.call
(new_expression constructor: (identifier) @name) @reference.call
(new_expression constructor: (member_expression property: (property_identifier) @name)) @reference.call

; imports
(import_statement source: (string (string_fragment) @import.module)) @import
(import_statement (import_clause (identifier) @import.name)) @import
(import_statement (import_clause (named_imports (import_specifier name: (identifier) @import.name)))) @import
(import_statement (import_clause (namespace_import (identifier) @import.alias))) @import
(import_statement (import_clause (named_imports (import_specifier name: (identifier) @name) @reference.import)))
(export_statement source: (string (string_fragment) @import.module)) @import
; re-exports: `export { a, b as c } from "./m"`
(export_statement (export_clause (export_specifier name: (identifier) @import.name)) source: (string)) @import
(export_statement (export_clause (export_specifier name: (identifier) @name) @reference.import) source: (string))
(import_statement source: (string) @name @reference.module)
(export_statement source: (string) @name @reference.module)
(call_expression
  function: (identifier) @_req
  arguments: (arguments . (string) @name @reference.module)
  (#eq? @_req "require"))
(call_expression
  function: (identifier) @_req
  arguments: (arguments . (string (string_fragment) @import.module))
  (#eq? @_req "require")) @import
(variable_declarator
  name: (object_pattern (shorthand_property_identifier_pattern) @import.name)
  value: (call_expression
    function: (identifier) @_req
    arguments: (arguments . (string (string_fragment) @import.module)))
  (#eq? @_req "require")) @import
(import_statement
  (import_clause (named_imports (import_specifier name: (identifier) @import.name alias: (identifier) @import.alias) @import))
  source: (string (string_fragment) @import.module))

; bindings: names whose type the syntax shows
(variable_declarator name: (identifier) @binding.name value: (new_expression constructor: (identifier) @binding.type))

; `const { a, b: c } = obj`: members of `obj`
(variable_declarator name: (object_pattern (shorthand_property_identifier_pattern) @name)) @reference.other
(variable_declarator name: (object_pattern (pair_pattern key: (property_identifier) @name))) @reference.other

; any other identifier, kept when the file defines or imports its name
(identifier) @name @reference.identifier

; locals: parameters and names bound inside functions
(arrow_function parameter: (identifier) @local)
(statement_block (lexical_declaration (variable_declarator name: (identifier) @local)))
(statement_block (variable_declaration (variable_declarator name: (identifier) @local)))
(for_in_statement left: (identifier) @local)

; bindings: a client constructed from a loaded package (`new proto.mesh.CartService(addr)`)
(variable_declarator name: (identifier) @binding.name value: (new_expression constructor: (member_expression property: (property_identifier) @binding.type)))

; HTTP routes: `app.get("/cart/:id", getCart)`, `router.post(...)`, `fastify.put(...)`;
; the handler named, a member (`ctrl.list`), bound (`this.list.bind(this)`) or
; wrapped (`asyncHandler(list)`), after any middleware
(call_expression
  function: (member_expression object: (identifier) @_obj property: (property_identifier) @http.method)
  arguments: (arguments . [(string) (template_string)] @http.path . [(identifier) (member_expression) (call_expression)] @http.handler .)
  (#match? @http.method "^(get|post|put|delete|patch|all)$")
  (#match? @_obj "^(app|router|server|api|fastify|routes|route)$")) @http.route
(call_expression
  function: (member_expression object: (identifier) @_obj property: (property_identifier) @http.method)
  arguments: (arguments . [(string) (template_string)] @http.path . (_) [(identifier) (member_expression) (call_expression)] @http.handler .)
  (#match? @http.method "^(get|post|put|delete|patch|all)$")
  (#match? @_obj "^(app|router|server|api|fastify|routes|route)$")) @http.route
(call_expression
  function: (member_expression object: (identifier) @_obj property: (property_identifier) @http.method)
  arguments: (arguments . [(string) (template_string)] @http.path . [(arrow_function) (function_expression)])
  (#match? @http.method "^(get|post|put|delete|patch|all)$")
  (#match? @_obj "^(app|router|server|api|fastify|routes|route)$")) @http.route
; HTTP calls: `fetch(url, { method })`, `axios.get(url)`
(call_expression
  function: (identifier) @http.method
  arguments: (arguments . (_) @http.url)
  (#eq? @http.method "fetch")) @http.call
(call_expression
  function: (member_expression object: (identifier) @_ax property: (property_identifier) @http.method)
  arguments: (arguments . (_) @http.url)
  (#match? @_ax "^(axios|http|client|api)$")
  (#match? @http.method "^(get|post|put|delete|patch)$")) @http.call
; Any other call whose first argument evaluates to an absolute URL, whatever the client
; library (`request(url, cb)`, `got.post(url)`, `needle.get(url)`, a wrapper of one):
; kept only when the URL is absolute (see `http.urlcall`); the method from the name.
(call_expression
  function: [(identifier) (member_expression property: (property_identifier))] @http.method
  arguments: (arguments . [(string) (template_string) (binary_expression)] @http.url)) @http.urlcall
; ... or a name that says it is an address or request options (`request(cartsUrl)`,
; `get(endpoints.tagsUrl)`, `request(options)`), or options with a `uri`/`url`
(call_expression
  function: [(identifier) (member_expression property: (property_identifier))] @http.method
  arguments: (arguments . [(identifier) (member_expression)] @http.url)
  (#match? @http.url "(?i)((url|uri|host|endpoint|addr|base)[a-z0-9_]*|options|opts)$")) @http.urlcall
(call_expression
  function: [(identifier) (member_expression property: (property_identifier))] @http.method
  arguments: (arguments . (object (pair key: [(property_identifier) (string)] @_k)) @http.url)
  (#match? @_k "^[\"']?(uri|url)[\"']?$")) @http.urlcall
; constants URLs are built from
(variable_declarator name: (identifier) @const.name value: (_) @const.value)
; a module's exported values: `module.exports = { cartsUrl: ... }`, `exports.cartsUrl = ...`
(assignment_expression
  left: (member_expression object: (identifier) @_m property: (property_identifier) @_e)
  right: (object (pair key: (property_identifier) @const.name value: (_) @const.value))
  (#eq? @_m "module")
  (#eq? @_e "exports"))
(assignment_expression
  left: (member_expression object: (identifier) @_e property: (property_identifier) @const.name)
  right: (_) @const.value
  (#eq? @_e "exports"))

; message topics: kafkajs `producer.send({ topic, messages })`, `consumer.subscribe({ topic })`
(call_expression
  function: (member_expression property: (property_identifier) @_m)
  arguments: (arguments (object (pair key: (property_identifier) @_k value: (_) @topic.name)))
  (#eq? @_m "send")
  (#eq? @_k "topic")) @topic.produce
(call_expression
  function: (member_expression property: (property_identifier) @_m)
  arguments: (arguments (object (pair key: (property_identifier) @_k value: (_) @topic.name)))
  (#eq? @_m "subscribe")
  (#match? @_k "^(topic|topics)$")) @topic.consume
; RabbitMQ (amqplib): `ch.publish(exchange, key, content)`: the exchange names the topic
; unless it is the default ("") one, where the key is the queue; `ch.sendToQueue(q, c)`
(call_expression
  function: (member_expression object: (_) @_o property: (property_identifier) @_m)
  arguments: (arguments . (_) @topic.exchange . (_) @topic.name . (_))
  (#not-match? @_o "pubsub$")
  (#eq? @_m "publish")) @topic.produce
(call_expression
  function: (member_expression property: (property_identifier) @_m)
  arguments: (arguments . (_) @topic.name)
  (#eq? @_m "sendToQueue")) @topic.produce
; AMQP 1.0 (rabbitmq-amqp-js-client): `conn.createPublisher({ queue: { name: q } })`,
; `conn.createConsumer({ queue: { name: q }, messageHandler })`; Azure Service Bus:
; `client.createSender(queueOrTopic)`, `client.createReceiver(queue)`
(call_expression
  function: (member_expression property: (property_identifier) @_m)
  arguments: (arguments . (object (pair key: (property_identifier) @_q
    value: (object (pair key: (property_identifier) @_n value: (_) @topic.name)))))
  (#eq? @_m "createPublisher")
  (#eq? @_q "queue")
  (#eq? @_n "name")) @topic.produce
(call_expression
  function: (member_expression property: (property_identifier) @_m)
  arguments: (arguments . (object (pair key: (property_identifier) @_q
    value: (object (pair key: (property_identifier) @_n value: (_) @topic.name)))))
  (#eq? @_m "createConsumer")
  (#eq? @_q "queue")
  (#eq? @_n "name")) @topic.consume
(call_expression
  function: (member_expression property: (property_identifier) @_m)
  arguments: (arguments . [(identifier) (string) (member_expression) (template_string)] @topic.name)
  (#eq? @_m "createSender")) @topic.produce
(call_expression
  function: (member_expression property: (property_identifier) @_m)
  arguments: (arguments . [(identifier) (string) (member_expression) (template_string)] @topic.name)
  (#eq? @_m "createReceiver")) @topic.consume
; `ch.consume(queue, onMessage)`, `ch.bindQueue(queue, exchange, pattern)`
(call_expression
  function: (member_expression property: (property_identifier) @_m)
  arguments: (arguments . (_) @topic.name . (_))
  (#eq? @_m "consume")) @topic.consume
(call_expression
  function: (member_expression property: (property_identifier) @_m)
  arguments: (arguments . (_) . (_) @topic.name)
  (#eq? @_m "bindQueue")) @topic.consume
; NATS (nats.js) and Redis pub/sub: `nc.publish("subject", data)`, `nc.request("subject")`,
; `nc.subscribe("subject")`, `redis.publish("channel", msg)` (a `request` only on a NATS
; connection: HTTP helpers name their method `request` too)
(call_expression
  function: (member_expression object: (_) @_o property: (property_identifier) @_m)
  arguments: (arguments . [(string) (template_string) (identifier) (member_expression)] @topic.name . (_)? .)
  (#not-match? @_o "pubsub$")
  (#eq? @_m "publish")) @topic.produce
(call_expression
  function: (member_expression object: (_) @_o property: (property_identifier) @_m)
  arguments: (arguments . [(string) (template_string) (identifier) (member_expression)] @topic.name . (_)? .)
  (#match? @_o "(?i)(^|\\.)(nc|nats\\w*|\\w*nats)$")
  (#eq? @_m "request")) @topic.produce
(call_expression
  function: (member_expression object: (_) @_o property: (property_identifier) @_m)
  arguments: (arguments . [(string) (template_string) (identifier) (member_expression)] @topic.name)
  (#not-match? @_o "pubsub$")
  (#eq? @_m "subscribe")) @topic.consume

; gRPC handlers registered by name: `server.addService(proto.pkg.CartService.service, { getCart: handler, addItem })`
(call_expression
  function: (member_expression property: (property_identifier) @_m)
  arguments: (arguments
    . (member_expression object: (member_expression property: (property_identifier) @grpc.service) property: (property_identifier) @_s)
    . (object (pair key: (property_identifier) @grpc.method value: (_) @grpc.handler)))
  (#eq? @_m "addService")
  (#eq? @_s "service")) @grpc.register
(call_expression
  function: (member_expression property: (property_identifier) @_m)
  arguments: (arguments
    . (member_expression object: (member_expression property: (property_identifier) @grpc.service) property: (property_identifier) @_s)
    . (object (shorthand_property_identifier) @grpc.method))
  (#eq? @_m "addService")
  (#eq? @_s "service")) @grpc.register

; Thrift clients: `thrift.createClient(InventoryService, connection)` calls InventoryService
(variable_declarator
  name: (identifier) @binding.name
  value: (call_expression
    function: (member_expression property: (property_identifier) @_f)
    arguments: (arguments . (identifier) @binding.type))
  (#match? @_f "^create(Http|XHR|WS|Web)?Client$"))
; Thrift servers: `thrift.createServer(NotifyService, { notifyRestock(book, email, result) { } })`
(call_expression
  function: (member_expression property: (property_identifier) @_m)
  arguments: (arguments
    . (identifier) @grpc.service
    . (object [
        (pair key: (property_identifier) @grpc.method value: (_) @grpc.handler)
        (method_definition name: (property_identifier) @grpc.method)
        (shorthand_property_identifier) @grpc.method]))
  (#match? @_m "^create(Multiplex|Web)?Server$")) @grpc.register

; gateways: `app.use("/api/ads", createProxyMiddleware({ target: "http://adservice:5000", pathRewrite }))`
(call_expression
  function: (member_expression property: (property_identifier) @_m)
  arguments: (arguments
    . (string) @proxy.prefix
    . (call_expression
        function: (identifier) @_p
        arguments: (arguments (object (pair key: (property_identifier) @_k value: (_) @proxy.target)))))
  (#eq? @_m "use")
  (#match? @_p "^(createProxyMiddleware|proxy)$")
  (#eq? @_k "target")) @proxy.route

; arguments that may pass a URL to a function or constructor of the service
(arguments [(identifier) (member_expression) (string)] @const.argument
  (#match? @const.argument "(?i)((url|uri|host|endpoint|addr|base)[a-z0-9_]*$|^[\"'`]https?://)"))

; rpc addresses: `thrift.createConnection(host, port)`
(call_expression
  function: (member_expression property: (property_identifier) @_f)
  arguments: (arguments . (_) @rpc.address)
  (#match? @_f "^create(Http|SSL)?Connection$"))

; Dapr: service invocation (`client.invoker.invoke("cart", "items", HttpMethod.GET)`) is
; an HTTP call to the app it names; pub/sub (`client.pubsub.publish("pubsub", "orders",
; data)`, `server.pubsub.subscribe("pubsub", "orders", handler)`)
(call_expression
  function: (member_expression object: (member_expression property: (property_identifier) @_o) property: (property_identifier) @_m)
  arguments: (arguments . (_) @http.app . (_) @http.url . (_) @http.method)
  (#eq? @_o "invoker")
  (#eq? @_m "invoke")) @http.call
(call_expression
  function: (member_expression object: (member_expression property: (property_identifier) @_o) property: (property_identifier) @_m)
  arguments: (arguments . (_) . (_) @topic.name)
  (#eq? @_o "pubsub")
  (#eq? @_m "publish")) @topic.produce
(call_expression
  function: (member_expression object: (member_expression property: (property_identifier) @_o) property: (property_identifier) @_m)
  arguments: (arguments . (_) . (_) @topic.name)
  (#eq? @_o "pubsub")
  (#eq? @_m "subscribe")) @topic.consume

; Literal paths and URLs passed to calls: where a function that makes its request with
; what it is given (a wrapper: `callApi("/orders")`) is used.
(call_expression arguments: (arguments [(string) (template_string)] @call.value
  (#match? @call.value "^[\"'`](/|https?://)")))
(new_expression arguments: (arguments [(string) (template_string)] @call.value
  (#match? @call.value "^[\"'`](/|https?://)")))

; Datastores and brokers the code connects to: connection strings, and the host
; option of a client whose name says what it is (`redis.createClient({host: h})`).
([(string) (template_string)] @store.address
  (#match? @store.address "^[\"'`](jdbc:)?(mongodb(\\+srv)?|rediss?|amqps?|postgres(ql)?|mysql|mariadb|nats|kafka|cassandra|memcached)://"))
(call_expression arguments: (arguments (object (pair key: (property_identifier) @_k value: (_) @store.address)))
  (#match? @_k "^(host|hostname|url|uri|addr|address)$"))
(new_expression arguments: (arguments (object (pair key: (property_identifier) @_k value: (_) @store.address)))
  (#match? @_k "^(host|hostname|url|uri|addr|address)$"))
; A parameter passed on to another call (a wrapper calling a wrapper: filled
; where the caller is called).
(call_expression arguments: (arguments (identifier) @call.value
  (#match? @call.value "(?i)(path|url|uri|endpoint|route|queue|topic|exchange|subject)")))
; A destination's name passed to a function that publishes or consumes (a helper
; whose parameter names the topic: filled in where it is called).
(call_expression function: [(identifier) @_callee (member_expression property: (property_identifier) @_callee)] arguments: (arguments [(string) (template_string)] @call.value)
  (#match? @_callee "(?i)(publish|send|emit|produce|subscribe|consume|listen|receive)"))
