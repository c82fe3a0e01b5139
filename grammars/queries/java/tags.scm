; Cartograph tags for Java. Extends the tags query shipped by tree-sitter-java
; with enums, records, fields, constructors, constants and imports.

(package_declaration (_) @name) @definition.module
(class_declaration name: (identifier) @name) @definition.class
(record_declaration name: (identifier) @name) @definition.class
(interface_declaration name: (identifier) @name) @definition.interface
(annotation_type_declaration name: (identifier) @name) @definition.interface
(enum_declaration name: (identifier) @name) @definition.enum
(enum_constant name: (identifier) @name) @definition.enum_member
(method_declaration name: (identifier) @name) @definition.method
(constructor_declaration name: (identifier) @name) @definition.constructor
(field_declaration declarator: (variable_declarator name: (identifier) @name)) @definition.field
(constant_declaration declarator: (variable_declarator name: (identifier) @name)) @definition.constant

; references
(method_invocation name: (identifier) @name) @reference.call
(object_creation_expression type: (type_identifier) @name) @reference.call
(object_creation_expression type: (generic_type (type_identifier) @name)) @reference.call
(object_creation_expression type: (scoped_type_identifier (type_identifier) @name .)) @reference.call
(superclass (type_identifier) @name) @reference.inherit
(superclass (generic_type (type_identifier) @name)) @reference.inherit
(superclass (scoped_type_identifier (type_identifier) @name .)) @reference.inherit
(super_interfaces (type_list (type_identifier) @name @reference.implement))
(super_interfaces (type_list (generic_type (type_identifier) @name) @reference.implement))
(super_interfaces (type_list (scoped_type_identifier (type_identifier) @name .) @reference.implement))
(extends_interfaces (type_list (type_identifier) @name @reference.inherit))
(annotation name: (identifier) @name) @reference.type
(marker_annotation name: (identifier) @name) @reference.type
(type_identifier) @name @reference.type
; a class named as the object of a call or field access: `Util.pick()`
(method_invocation object: (identifier) @name (#match? @name "^[A-Z]")) @reference.other
(field_access object: (identifier) @name (#match? @name "^[A-Z]")) @reference.other
; a static member reached through its class: `Service.AUTH`, `Constants.BASE_URL`
(field_access object: (identifier) @_c field: (identifier) @name (#match? @_c "^[A-Z]")) @reference.other

; imports
(import_declaration (_) @import.module) @import
(import_declaration (scoped_identifier name: (identifier) @name) @reference.import)

; bindings: typed locals and parameters
(local_variable_declaration type: (type_identifier) @binding.type declarator: (variable_declarator name: (identifier) @binding.name))
(local_variable_declaration type: (generic_type (type_identifier) @binding.type) declarator: (variable_declarator name: (identifier) @binding.name))
(formal_parameter type: (type_identifier) @binding.type name: (identifier) @binding.name)

; any other identifier, kept when the file defines or imports its name
(identifier) @name @reference.identifier

; locals: parameters and local variables
(formal_parameter name: (identifier) @local)
(local_variable_declaration declarator: (variable_declarator name: (identifier) @local))
(lambda_expression parameters: (identifier) @local)
(local_variable_declaration type: (scoped_type_identifier) @binding.type declarator: (variable_declarator name: (identifier) @binding.name))
(field_declaration type: (scoped_type_identifier) @binding.type declarator: (variable_declarator name: (identifier) @binding.name))
(formal_parameter type: (scoped_type_identifier) @binding.type name: (identifier) @binding.name)

; HTTP routes: Spring `@GetMapping("/quote/{zip}")`, `@RequestMapping(value = "/x", method = RequestMethod.POST)`,
; with the class's `@RequestMapping("/api")` as prefix
(method_declaration
  (modifiers (annotation name: (identifier) @http.method arguments: (annotation_argument_list . (string_literal) @http.path)))
  name: (identifier) @http.handler
  (#match? @http.method "^(Get|Post|Put|Delete|Patch|Request)Mapping$")) @http.route
(method_declaration
  (modifiers (annotation name: (identifier) @http.method arguments: (annotation_argument_list (element_value_pair key: (identifier) @_k value: (string_literal) @http.path))))
  name: (identifier) @http.handler
  (#match? @_k "^(value|path)$")
  (#match? @http.method "^(Get|Post|Put|Delete|Patch|Request)Mapping$")) @http.route
; a mapping without a path serves its class's prefix: `@GetMapping`,
; `@RequestMapping(method = RequestMethod.GET)` (a mapping with a path wins)
(method_declaration
  (modifiers (marker_annotation name: (identifier) @http.method))
  name: (identifier) @http.handler
  (#match? @http.method "^(Get|Post|Put|Delete|Patch)Mapping$")) @http.route
(method_declaration
  (modifiers (annotation name: (identifier) @http.method arguments: (annotation_argument_list (element_value_pair key: (identifier) @_k))))
  name: (identifier) @http.handler
  (#eq? @_k "method")
  (#eq? @http.method "RequestMapping")) @http.route
; JAX-RS (Jakarta EE, Quarkus, Dropwizard): `@GET @Path("{id}")` under the class's `@Path("/orders")`
(method_declaration
  (modifiers
    (marker_annotation name: (identifier) @http.method)
    (annotation name: (identifier) @_p arguments: (annotation_argument_list . (string_literal) @http.path)))
  name: (identifier) @http.handler
  (#match? @http.method "^(GET|POST|PUT|DELETE|PATCH|HEAD)$")
  (#eq? @_p "Path")) @http.route
(method_declaration
  (modifiers
    (annotation name: (identifier) @_p arguments: (annotation_argument_list . (string_literal) @http.path))
    (marker_annotation name: (identifier) @http.method))
  name: (identifier) @http.handler
  (#match? @http.method "^(GET|POST|PUT|DELETE|PATCH|HEAD)$")
  (#eq? @_p "Path")) @http.route
(method_declaration
  (modifiers (marker_annotation name: (identifier) @http.method))
  name: (identifier) @http.handler
  (#match? @http.method "^(GET|POST|PUT|DELETE|PATCH|HEAD)$")) @http.route
(class_declaration
  (modifiers (annotation name: (identifier) @_a arguments: (annotation_argument_list . (string_literal) @http.prefix)))
  (#match? @_a "^(RequestMapping|Path)$")) @http.scope
(class_declaration
  (modifiers (annotation name: (identifier) @_a arguments: (annotation_argument_list (element_value_pair key: (identifier) @_k value: (string_literal) @http.prefix))))
  (#match? @_k "^(value|path)$")
  (#eq? @_a "RequestMapping")) @http.scope
; HTTP calls: RestTemplate `getForObject(url, ...)`, WebClient `.get().uri(url)`
(method_invocation
  name: (identifier) @http.method
  arguments: (argument_list . (_) @http.url)
  (#match? @http.method "^(getForObject|getForEntity|postForObject|postForEntity|postForLocation|patchForObject)$")) @http.call
; Apache HttpClient: `new HttpPost(url)`
(object_creation_expression
  type: (type_identifier) @http.method
  arguments: (argument_list . (_) @http.url)
  (#match? @http.method "^Http(Get|Post|Put|Delete|Patch|Head)$")) @http.call
; JAX-RS client: `client.target(url).path("x").request().put(...)` (any method)
(method_invocation
  name: (identifier) @http.method
  arguments: (argument_list . (_) @http.url)
  (#eq? @http.method "target")) @http.call
; `restTemplate.exchange(url, HttpMethod.GET, entity, T.class)`
(method_invocation
  name: (identifier) @_m
  arguments: (argument_list . (_) @http.url . (field_access field: (identifier) @http.method))
  (#eq? @_m "exchange")) @http.call
(method_invocation
  object: (method_invocation name: (identifier) @http.method)
  name: (identifier) @_u
  arguments: (argument_list . (_) @http.url)
  (#eq? @_u "uri")
  (#match? @http.method "^(get|post|put|delete|patch)$")) @http.call
; constants URLs are built from; a field Spring fills from configuration,
; `@Value("${service.product.url}") String productUrl;`, is that configuration entry
(field_declaration declarator: (variable_declarator name: (identifier) @const.name value: (_) @const.value))
(field_declaration
  (modifiers (annotation name: (identifier) @_v arguments: (annotation_argument_list . (string_literal) @const.value)))
  declarator: (variable_declarator name: (identifier) @const.name)
  (#eq? @_v "Value"))
(formal_parameter
  (modifiers (annotation name: (identifier) @_v arguments: (annotation_argument_list . (string_literal) @const.value)))
  name: (identifier) @const.name
  (#eq? @_v "Value"))
; assignments: `registryURL = "http://localhost:" + port + "/registry/rest/"`, `this.url = ...`
(assignment_expression left: (identifier) @const.name right: (_) @const.value)
(assignment_expression left: (field_access object: (this) field: (identifier) @const.name) right: (_) @const.value)
; enumeration members with a value: `AUTH("tools.descartes.teastore.auth")`
(enum_constant name: (identifier) @const.name arguments: (argument_list . (string_literal) @const.value))
(local_variable_declaration declarator: (variable_declarator name: (identifier) @const.name value: (_) @const.value))

; message topics: `kafkaTemplate.send("orders", ...)`, `new ProducerRecord<>("orders", ...)`,
; `@KafkaListener(topics = "orders")` on the handler
(method_invocation
  object: (_) @_o
  name: (identifier) @_m
  arguments: (argument_list . (_) @topic.name)
  (#match? @_o "(?i)(kafka|template|producer)")
  (#eq? @_m "send")) @topic.produce
(object_creation_expression
  type: (generic_type (type_identifier) @_t)
  arguments: (argument_list . (_) @topic.name)
  (#eq? @_t "ProducerRecord")) @topic.produce
(method_declaration
  (modifiers (annotation name: (identifier) @_a arguments: (annotation_argument_list (element_value_pair key: (identifier) @_k value: (_) @topic.name))))
  (#eq? @_a "KafkaListener")
  (#eq? @_k "topics")) @topic.consume
; Kafka `consumer.subscribe(List.of("orders"))`, NATS (jnats) `dispatcher.subscribe("subject")`
(method_invocation
  name: (identifier) @_m
  arguments: (argument_list . (_) @topic.name)
  (#eq? @_m "subscribe")) @topic.consume
; NATS: `nc.publish("subject", data)`, `nc.request("subject", data, timeout)`
(method_invocation
  name: (identifier) @_m
  arguments: (argument_list . (_) @topic.name . (_))
  (#match? @_m "^(publish|request)$")) @topic.produce
; RabbitMQ (Spring AMQP): `rabbitTemplate.convertAndSend(exchange, routingKey, msg)`: the
; exchange names the topic unless it is the default ("") one; with two arguments the
; key goes to the default exchange
(method_invocation
  name: (identifier) @_m
  arguments: (argument_list . (_) @topic.exchange . (_) @topic.name . (_) .)
  (#match? @_m "^(convertAndSend|convertSendAndReceive)$")) @topic.produce
(method_invocation
  name: (identifier) @_m
  arguments: (argument_list . (_) @topic.name . (_) .)
  (#match? @_m "^(convertAndSend|convertSendAndReceive)$")) @topic.produce
; Spring AMQP listener containers: `container.setQueueNames("audit")`
(method_invocation
  name: (identifier) @_m
  arguments: (argument_list . (_) @topic.name)
  (#match? @_m "^(setQueueNames|addQueueNames)$")) @topic.consume
; Spring AMQP bindings: `BindingBuilder.bind(queue).to(exchange)` (then `.with(key)`):
; what is published to the exchange reaches the bound queue
(method_invocation
  object: (method_invocation
    object: (identifier) @_b
    name: (identifier) @_bind)
  name: (identifier) @_to
  arguments: (argument_list . (_) @topic.exchange @topic.name)
  (#eq? @_b "BindingBuilder")
  (#eq? @_bind "bind")
  (#eq? @_to "to")) @topic.consume
; `@RabbitListener(queues = "audit")` on the handler
(method_declaration
  (modifiers (annotation name: (identifier) @_a arguments: (annotation_argument_list (element_value_pair key: (identifier) @_k value: (_) @topic.name))))
  (#eq? @_a "RabbitListener")
  (#eq? @_k "queues")) @topic.consume
; RabbitMQ Java client: `channel.basicPublish(exchange, key, props, body)`,
; `channel.basicConsume(queue, autoAck, consumer)`, `channel.queueBind(queue, exchange, key)`
(method_invocation
  name: (identifier) @_m
  arguments: (argument_list . (_) @topic.exchange . (_) @topic.name)
  (#eq? @_m "basicPublish")) @topic.produce
(method_invocation
  name: (identifier) @_m
  arguments: (argument_list . (_) @topic.name . (_))
  (#eq? @_m "basicConsume")) @topic.consume
(method_invocation
  name: (identifier) @_m
  arguments: (argument_list . (_) . (_) @topic.name)
  (#eq? @_m "queueBind")) @topic.consume

; arguments that may pass a URL to a function or constructor of the service
(argument_list [(identifier) (field_access) (string_literal)] @const.argument
  (#match? @const.argument "(?i)((url|uri|host|endpoint|addr|base)[a-z0-9_]*$|^\"https?://)"))

; rpc addresses: `new TSocket("shipping", 9093)`, `ManagedChannelBuilder.forAddress(host, port)`
(object_creation_expression
  type: (type_identifier) @_t
  arguments: (argument_list . (_) @rpc.address)
  (#match? @_t "^(TSocket|TSSLSocket)$"))
(method_invocation
  name: (identifier) @_m
  arguments: (argument_list . (_) @rpc.address)
  (#match? @_m "^(forAddress|forTarget)$"))
; event buses keyed by the message's type: `eventBus.publish(new OrderPaid(..))`,
; `publisher.publishEvent(evt)` with `OrderPaid evt = new OrderPaid(..)`
(method_invocation
  name: (identifier) @_m
  arguments: (argument_list . [(object_creation_expression) (identifier)] @topic.type .)
  (#match? @_m "^(publish|publishEvent|publishAsync|raise|raiseEvent|emit|dispatch)$")) @topic.produce
; subscribers: a method annotated as an event handler (Axon `@EventHandler`, Spring
; `@EventListener`, Guava `@Subscribe`), by its first parameter's type; the `handle`,
; `on` or `onApplicationEvent` of a class implementing a handler interface of a type
(method_declaration
  (modifiers (marker_annotation name: (identifier) @_a))
  parameters: (formal_parameters . (formal_parameter type: (_) @topic.type))
  (#match? @_a "^(EventHandler|EventListener|TransactionalEventListener|Subscribe)$")) @topic.consume
(class_declaration
  interfaces: (super_interfaces (type_list (generic_type (type_identifier) @_i (type_arguments . (_) @topic.type .))))
  body: (class_body (method_declaration name: (identifier) @_h) @topic.consume)
  (#match? @_i "^(EventHandler|IntegrationEventHandler|MessageHandler|ApplicationListener)$")
  (#match? @_h "^(handle|on|onEvent|onApplicationEvent)$"))

; A client handed to a callback for the service a discovery name names (a load
; balancer, a retrying wrapper): `call(Service.AUTH, "cart", c -> c.getTarget().path("add")
; .request().post(e))` is POST http://<Service.AUTH>/cart/add, the rest of the path and
; the method from the request the callback makes (see `http::callback_chain`).
(method_invocation
  arguments: (argument_list
    (field_access field: (identifier) @_member) @http.app
    .
    (string_literal) @http.url
    (lambda_expression) @http.callback)
  (#match? @_member "^[A-Z][A-Z0-9_]*$")) @http.call

; Dapr: service invocation (`client.invokeMethod("cart", "items", body, HttpExtension.POST,
; T.class)`) is an HTTP call to the app it names; pub/sub (`publishEvent("pubsub",
; "orders", data)`, `@Topic(name = "orders", pubsubName = "pubsub")`)
(method_invocation
  name: (identifier) @_m
  arguments: (argument_list . (_) @http.app . (_) @http.url . (_) . (field_access field: (identifier) @http.method))
  (#eq? @_m "invokeMethod")) @http.call
(method_invocation
  name: (identifier) @_m
  arguments: (argument_list . (_) . (_) @topic.name . (_))
  (#eq? @_m "publishEvent")) @topic.produce
(method_declaration
  (modifiers (annotation name: (identifier) @_a arguments: (annotation_argument_list (element_value_pair key: (identifier) @_k value: (_) @topic.name))))
  (#eq? @_a "Topic")
  (#eq? @_k "name")) @topic.consume
; Spring Cloud Stream: `streamBridge.send("orders-out-0", order)` (a binding, or a
; destination: the configuration's `spring.cloud.stream.bindings.*.destination` maps
; bindings), functional beans (`@Bean Consumer<Order> orders()` reads the binding
; `orders-in-0`, a `Supplier` writes `orders-out-0`, a `Function` both), and
; `@StreamListener(Sink.INPUT)`, `@SendTo(Processor.OUTPUT)`
(method_invocation
  object: (identifier) @_o
  name: (identifier) @_m
  arguments: (argument_list . (_) @topic.name . (_))
  (#match? @_o "(?i)streambridge")
  (#eq? @_m "send")) @topic.produce
(method_declaration
  (modifiers (marker_annotation name: (identifier) @_a))
  type: (generic_type (type_identifier) @_t)
  name: (identifier) @topic.binding
  (#eq? @_a "Bean")
  (#match? @_t "^(Consumer|Function)$")) @topic.consume
(method_declaration
  (modifiers (marker_annotation name: (identifier) @_a))
  type: (generic_type (type_identifier) @_t)
  name: (identifier) @topic.binding
  (#eq? @_a "Bean")
  (#match? @_t "^(Supplier|Function)$")) @topic.produce
(method_declaration
  (modifiers (annotation name: (identifier) @_a arguments: (annotation_argument_list . (_) @topic.name)))
  (#eq? @_a "StreamListener")) @topic.consume
(method_declaration
  (modifiers (annotation name: (identifier) @_a arguments: (annotation_argument_list . (_) @topic.name)))
  (#eq? @_a "SendTo")) @topic.produce

; Literal paths and URLs passed to calls: where a method that makes its request with
; what it is given (a wrapper: `callApi("/orders")`) is used.
(method_invocation arguments: (argument_list (string_literal) @call.value
  (#match? @call.value "^\"(/|https?://)")))
(object_creation_expression arguments: (argument_list (string_literal) @call.value
  (#match? @call.value "^\"(/|https?://)")))

; Datastores and brokers the code connects to: connection strings.
((string_literal) @store.address
  (#match? @store.address "^\"(jdbc:)?(mongodb(\\+srv)?|rediss?|amqps?|postgres(ql)?|mysql|mariadb|nats|kafka|cassandra|memcached)://"))
; A parameter passed on to another call (a wrapper calling a wrapper: filled
; where the caller is called).
(method_invocation arguments: (argument_list (identifier) @call.value
  (#match? @call.value "(?i)(path|url|uri|endpoint|route|queue|topic|exchange|subject)")))
; A destination's name passed to a function that publishes or consumes (a helper
; whose parameter names the topic: filled in where it is called).
(method_invocation name: (identifier) @_callee arguments: (argument_list [(string_literal)] @call.value)
  (#match? @_callee "(?i)(publish|send|emit|produce|subscribe|consume|listen|receive)"))
; Another object's address passed on (`post(config.getPaymentUri(), body)`): filled
; with what that method returns.
(method_invocation arguments: (argument_list
  (method_invocation name: (identifier) @_g arguments: (argument_list)) @call.value
  (#match? @_g "(?i)(url|uri|host|endpoint|addr|base)")))
; Methods taking nothing that give an address (`getPaymentUri()`), evaluated through
; the file's own classes for the files calling them.
(method_declaration
  name: (identifier) @_n
  parameters: (formal_parameters)
  (#match? @_n "(?i)(url|uri|host|endpoint|addr|base)")) @value.method
; Spring's request builder: `RequestEntity.post(uri).body(b)` then `exchange(request, T)`.
(method_invocation
  object: (identifier) @_o
  name: (identifier) @http.method
  arguments: (argument_list . (_) @http.url)
  (#eq? @_o "RequestEntity")
  (#match? @http.method "^(get|post|put|delete|patch|head|options)$")) @http.call
